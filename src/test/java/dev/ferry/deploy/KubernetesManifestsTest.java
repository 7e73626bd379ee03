package dev.ferry.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests in {@code k8s/}: they parse into Kubernetes model objects with no unknown field, agree with Ferry's
 * own configuration (ports, health and Jolokia paths, the folders it reads), ship every route and mapping file, give
 * the election what it needs, and — where a kustomize binary exists — render both overlays into consistent objects.
 */
class KubernetesManifestsTest {

    static final Path BASE = Path.of("k8s/base");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<HasMetadata> baseObjects() throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(BASE)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("kustomization.yaml")).sorted().toList()) {
                out.addAll(KubernetesModels.parseAll(Files.readString(f)));
            }
        }
        return out;
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p;
    }

    static Container ferryContainer(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    @Test
    void everyManifestParsesIntoKubernetesModelsWithNoUnknownField() throws IOException {
        List<HasMetadata> objects = baseObjects();
        objects.addAll(KubernetesModels.parseAll(Files.readString(Path.of("k8s/secret.example.yaml"))));
        objects.addAll(KubernetesModels.parseAll(Files.readString(Path.of("k8s/cronjob.example.yaml"))));
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
                "CronJob", "Deployment", "PodDisruptionBudget", "Role", "RoleBinding", "Secret", "Service", "ServiceAccount");
        for (HasMetadata o : objects) {
            assertThat(KubernetesModels.unknownFields(o)).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
        }
        // the check itself: a misspelt field is found, not dropped
        HasMetadata typo = KubernetesModels.parseAll("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replica: 2
                  template: {spec: {containers: [{name: c, image: i, readinesProbe: {}}]}}
                """).get(0);
        assertThat(KubernetesModels.unknownFields(typo)).containsExactlyInAnyOrder(
                "Deployment/x.spec [replica]", "Deployment/x.spec.template.spec.containers[0] [readinesProbe]");
    }

    @Test
    void portsProbesAndFoldersMatchFerrysConfiguration() throws IOException {
        List<HasMetadata> objects = baseObjects();
        Deployment deployment = one(objects, Deployment.class);
        Container ferry = ferryContainer(deployment);
        Properties app = applicationProperties();
        HttpManagementServerConfigurationProperties camelDefaults = new HttpManagementServerConfigurationProperties(null);
        String healthPath = app.getProperty("camel.management.health-path", camelDefaults.getHealthPath());
        String jolokiaPath = app.getProperty("camel.management.jolokia-path", camelDefaults.getJolokiaPath());

        assertThat(port(ferry, "http")).isEqualTo(Integer.parseInt(app.getProperty("camel.server.port")));
        assertThat(port(ferry, "jolokia")).isEqualTo(Integer.parseInt(app.getProperty("camel.management.port")));
        assertThat(ferry.getLivenessProbe().getHttpGet().getPath()).isEqualTo(healthPath + "/live");
        assertThat(ferry.getReadinessProbe().getHttpGet().getPath()).isEqualTo(healthPath + "/ready");
        assertThat(ferry.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("jolokia");
        assertThat(ferry.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("jolokia");
        // Hawtio Online: plain http, Jolokia's path on the port named "jolokia"
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("hawt.io/protocol", "http").containsEntry("hawt.io/jolokiaPath", jolokiaPath + "/");

        Service service = one(objects, Service.class);
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getStrVal())
                .containsExactly("http:8080->http", "management:9876->jolokia", "jolokia:8778->jolokia");
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

        // the folders Ferry reads (ferry.routes-dir, ferry.mappings-dir) are the mounted ConfigMaps
        Map<String, String> env = ferry.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(configMapMountedAt(pod, ferry, env.get("FERRY_ROUTES_DIR"))).isEqualTo("ferry-routes");
        assertThat(configMapMountedAt(pod, ferry, env.get("FERRY_MAPPINGS_DIR"))).isEqualTo("ferry-mappings");
        assertThat(ferry.getEnvFrom()).extracting(e -> e.getSecretRef() == null ? null : e.getSecretRef().getName())
                .contains("ferry-credentials");

        // non-root, read-only root filesystem; /tmp (the only place Ferry writes) is an emptyDir
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(ferry.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(ferry.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        VolumeMount tmp = ferry.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow();
        assertThat(volume(pod, tmp.getName()).getEmptyDir()).isNotNull();
        assertThat(ferry.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(ferry.getResources().getLimits()).containsKey("memory");
        assertThat(one(objects, PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void theCronJobExampleRunsOnePullWithTheDeploymentsFoldersAndSettings() throws IOException {
        io.fabric8.kubernetes.api.model.batch.v1.CronJob job = (io.fabric8.kubernetes.api.model.batch.v1.CronJob)
                KubernetesModels.parseAll(Files.readString(Path.of("k8s/cronjob.example.yaml"))).get(0);
        PodSpec pod = job.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        Container once = pod.getContainers().get(0);
        assertThat(once.getArgs()).containsExactly("run", "jst-refunds", "--once");
        Deployment deployment = one(baseObjects(), Deployment.class);
        Container ferry = ferryContainer(deployment);
        assertThat(once.getImage()).isEqualTo(ferry.getImage());
        for (String dir : List.of("/etc/ferry/routes", "/etc/ferry/mappings")) {
            assertThat(configMapMountedAt(pod, once, dir)).isEqualTo(configMapMountedAt(deployment.getSpec().getTemplate().getSpec(), ferry, dir));
        }
        assertThat(once.getEnvFrom()).usingRecursiveFieldByFieldElementComparator().isEqualTo(ferry.getEnvFrom());
        assertThat(once.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never"); // a failed pull (exit 2) is a failed Job, retried by backoffLimit
    }

    static String configMapMountedAt(PodSpec pod, Container c, String path) {
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
        return volume(pod, mount.getName()).getConfigMap().getName();
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everyRouteAndMappingFileIsInAConfigMapGenerator() throws IOException {
        JsonNode kustomization = YAML.readTree(BASE.resolve("kustomization.yaml").toFile());
        assertThat(generatedFiles(kustomization, "ferry-routes")).isEqualTo(filesIn(Path.of("routes")));
        assertThat(generatedFiles(kustomization, "ferry-mappings")).isEqualTo(filesIn(Path.of("mappings")));
    }

    static Set<String> generatedFiles(JsonNode kustomization, String name) {
        Set<String> out = new TreeSet<>();
        for (JsonNode g : kustomization.path("configMapGenerator")) {
            if (g.path("name").asText().equals(name)) {
                g.path("files").forEach(f -> out.add(BASE.resolve(f.asText()).normalize().toString()));
            }
        }
        return out;
    }

    static Set<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(Path::toString).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void theRoleGrantsWhatLeaseElectionNeedsToTheDeploymentsServiceAccount() throws IOException {
        List<HasMetadata> objects = baseObjects();
        Role role = one(objects, Role.class);
        assertThat(verbs(role, "coordination.k8s.io", "leases")).contains("get", "create", "update");
        assertThat(verbs(role, "", "pods")).contains("get", "list"); // the candidates: running, ready pods with the labels
        RoleBinding binding = one(objects, RoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        String account = one(objects, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(account).isEqualTo(one(objects, ServiceAccount.class).getMetadata().getName());
        assertThat(binding.getSubjects()).extracting(s -> s.getKind() + "/" + s.getName()).containsExactly("ServiceAccount/" + account);
        // the pods the election counts are the Deployment's
        String labels = Files.readAllLines(BASE.resolve("ferry.env")).stream().filter(l -> l.startsWith("FERRY_CLUSTER_LABELS="))
                .findFirst().orElseThrow().substring("FERRY_CLUSTER_LABELS=".length());
        Map<String, String> podLabels = one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        for (String pair : labels.split(",")) {
            String[] kv = pair.split("=", 2);
            assertThat(podLabels).containsEntry(kv[0], kv[1]);
        }
    }

    static Set<String> verbs(Role role, String group, String resource) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : role.getRules()) {
            if (r.getApiGroups().contains(group) && r.getResources().contains(resource)) {
                out.addAll(r.getVerbs());
            }
        }
        return out;
    }

    /** kustomize, or kubectl (which embeds it); null when neither is on the PATH. */
    static List<String> kustomizeCommand() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "kustomize"))) {
                return List.of(Path.of(dir, "kustomize").toString(), "build", "--load-restrictor", "LoadRestrictionsNone");
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "kubectl"))) {
                return List.of(Path.of(dir, "kubectl").toString(), "kustomize", "--load-restrictor", "LoadRestrictionsNone");
            }
        }
        return null;
    }

    static String render(List<String> command, String overlay) throws Exception {
        List<String> cmd = new ArrayList<>(command);
        cmd.add("k8s/overlays/" + overlay);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + err).isZero();
        return out;
    }

    @Test
    void bothOverlaysRenderIntoConsistentObjectsWithHashedConfigMaps() throws Exception {
        List<String> kustomize = kustomizeCommand();
        Assumptions.assumeTrue(kustomize != null, "neither kustomize nor kubectl is on the PATH: the overlays are not rendered here "
                + "(the source manifests are still checked by the other tests of this class)");
        for (String overlay : List.of("dev", "prod")) {
            List<HasMetadata> objects = KubernetesModels.parseAll(render(kustomize, overlay));
            for (HasMetadata o : objects) {
                assertThat(KubernetesModels.unknownFields(o)).as(overlay + " " + o.getKind()).isEmpty();
                assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo(overlay.equals("dev") ? "ferry-dev" : "ferry");
            }
            Deployment d = one(objects, Deployment.class);
            assertThat(d.getSpec().getReplicas()).isEqualTo(overlay.equals("dev") ? 1 : 2);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Map<String, ConfigMap> configMaps = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                    .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c));
            // the Deployment names the generated, content-hashed ConfigMaps: a changed route file rolls the pods
            for (String dir : List.of("routes", "mappings")) {
                String name = configMapMountedAt(pod, ferryContainer(d), "/etc/ferry/" + dir);
                assertThat(name).matches("ferry-" + dir + "-[a-z0-9]{10}");
                ConfigMap cm = configMaps.get(name);
                assertThat(cm).as(name).isNotNull();
                try (Stream<Path> files = Files.list(Path.of(dir))) {
                    for (Path f : files.toList()) {
                        assertThat(cm.getData()).containsEntry(f.getFileName().toString(), Files.readString(f));
                    }
                }
                assertThat(cm.getData()).hasSize(filesIn(Path.of(dir)).size());
            }
            String config = ferryContainer(d).getEnvFrom().stream().filter(e -> e.getConfigMapRef() != null).findFirst().orElseThrow()
                    .getConfigMapRef().getName();
            assertThat(configMaps).containsKey(config);
            assertThat(config).matches("ferry-config-[a-z0-9]{10}");
            String secret = ferryContainer(d).getEnvFrom().stream().filter(e -> e.getSecretRef() != null).findFirst().orElseThrow()
                    .getSecretRef().getName();
            if (overlay.equals("dev")) { // generated with placeholder credentials
                assertThat(objects).filteredOn(Secret.class::isInstance).extracting(o -> o.getMetadata().getName()).containsExactly(secret);
            } else { // created outside Git
                assertThat(secret).isEqualTo("ferry-credentials");
                assertThat(objects).noneMatch(Secret.class::isInstance);
            }
        }
    }
}
