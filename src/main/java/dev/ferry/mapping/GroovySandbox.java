package dev.ferry.mapping;

import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.expr.AttributeExpression;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.MethodPointerExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.RangeExpression;
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.customizers.SecureASTCustomizer;
import org.codehaus.groovy.syntax.Types;

import java.util.List;
import java.util.Set;

/**
 * The compiler settings for mapping expressions when the operator has not declared them trusted
 * ({@code ferry.groovy.trusted=false}, the default). A {@link SecureASTCustomizer} allows no imports, no
 * method or class definitions and no package; on top of it an expression checker allows only value types
 * (strings, numbers, {@code java.math}, {@code java.time}, collections, closures, {@code Math}) to be named
 * anywhere — in {@code new}, casts, declarations and static calls — and refuses members that reach the
 * runtime: {@code getClass}/{@code class}, class loaders, reflection, meta-classes, {@code invokeMethod},
 * {@code execute}, {@code evaluate}, {@code exit}, {@code toURL}, … as well as method or property names
 * computed at run time (so a subscript takes a written-out index: {@code record['id']}, {@code items[0]}). So no file, network, process, reflection, class loading, {@code System},
 * {@code Eval} or {@code GroovyShell}. It narrows what a mapping file can do; mapping files remain code,
 * reviewed as such.
 */
public final class GroovySandbox {

    private static final Set<String> ALLOWED_TYPES = Set.of(
            "java.lang.Object", "java.lang.String", "java.lang.CharSequence", "java.lang.Number", "java.lang.Integer",
            "java.lang.Long", "java.lang.Short", "java.lang.Byte", "java.lang.Double", "java.lang.Float", "java.lang.Boolean",
            "java.lang.Character", "java.lang.Math", "java.lang.StrictMath", "java.lang.Comparable", "java.lang.Iterable",
            "java.lang.Void", "java.util.List", "java.util.ArrayList", "java.util.Map", "java.util.LinkedHashMap",
            "java.util.HashMap", "java.util.Set", "java.util.HashSet", "java.util.LinkedHashSet", "java.util.Collection",
            "java.util.Collections", "java.util.Arrays", "java.util.Objects", "java.util.Locale", "java.util.Map$Entry",
            "java.util.regex.Pattern", "java.util.regex.Matcher", "groovy.lang.GString", "groovy.lang.Closure",
            "groovy.lang.Range", "groovy.lang.IntRange", "groovy.lang.ObjectRange", "groovy.lang.EmptyRange");
    private static final List<String> ALLOWED_PACKAGES = List.of("java.math.", "java.time.");
    private static final Set<String> DENIED_MEMBERS = Set.of(
            "getClass", "class", "forName", "classLoader", "getClassLoader", "metaClass", "getMetaClass", "setMetaClass",
            "invokeMethod", "getProperty", "setProperty", "properties", "getProperties", "execute", "evaluate", "run", "exit",
            "halt", "sleep", "wait", "notify", "notifyAll", "toURL", "newInstance", "getDeclaredMethod", "getDeclaredMethods",
            "getDeclaredField", "getDeclaredFields", "getMethod", "getMethods", "getField", "getFields", "getConstructor",
            "getConstructors", "getDeclaredConstructor", "getDeclaredConstructors", "declaredMethods", "declaredFields",
            "declaredConstructors", "methods", "fields", "constructors", "getResource", "getResourceAsStream",
            "getProtectionDomain", "protectionDomain", "getModule", "module", "loadClass", "parseClass", "defineClass",
            "getBinding", "binding", "setBinding", "load", "loadLibrary", "getRuntime", "runtime", "asType", "with",
            "invoke", "rehydrate", "getAt", "putAt", "setDelegate", "delegate", "owner", "thisObject");

    private GroovySandbox() {
    }

    /** The checker remembers why it refused, for a message naming the field. */
    static final class Checker implements SecureASTCustomizer.ExpressionChecker {
        private String refusal;

        String takeRefusal() {
            String r = refusal;
            refusal = null;
            return r;
        }

        @Override
        public boolean isAuthorized(Expression e) {
            String why = check(e);
            if (why != null && refusal == null) {
                refusal = why + " (line " + e.getLineNumber() + ")";
            }
            return why == null;
        }

        private static String check(Expression e) {
            if (e instanceof AttributeExpression || e instanceof MethodPointerExpression) {
                return "direct field access and method pointers are not allowed";
            }
            if (!allowedType(e.getType())) {
                return "type " + e.getType().getName() + " is not allowed";
            }
            if (e instanceof MethodCallExpression m) {
                return member(m.getMethodAsString());
            }
            if (e instanceof StaticMethodCallExpression s) {
                return allowedType(s.getOwnerType()) ? member(s.getMethod()) : "type " + s.getOwnerType().getName() + " is not allowed";
            }
            if (e instanceof PropertyExpression p) {
                return member(p.getPropertyAsString());
            }
            if (e instanceof BinaryExpression b && b.getOperation().getType() == Types.LEFT_SQUARE_BRACKET) {
                // x['name'] reads a property: the same rules as x.name, so the index must be written out
                Expression index = b.getRightExpression();
                if (index instanceof ConstantExpression c) {
                    return c.getValue() instanceof String s ? member(s) : null;
                }
                if (index instanceof RangeExpression r && r.getFrom() instanceof ConstantExpression
                        && r.getTo() instanceof ConstantExpression) {
                    return null;
                }
                return "a subscript with a computed index is not allowed (write record['name'] or items[0])";
            }
            return null;
        }

        private static String member(String name) {
            if (name == null) {
                return "a method or property name computed at run time is not allowed";
            }
            return DENIED_MEMBERS.contains(name) ? "'" + name + "' is not allowed" : null;
        }

        private static boolean allowedType(ClassNode type) {
            ClassNode t = type;
            while (t.isArray()) {
                t = t.getComponentType();
            }
            if (ClassHelper.isPrimitiveType(t) || ALLOWED_TYPES.contains(t.getName())) {
                return true;
            }
            String name = t.getName();
            return ALLOWED_PACKAGES.stream().anyMatch(name::startsWith) || name.startsWith("ferry_"); // ferry_<field>: the script itself
        }
    }

    /**
     * Compiles a script outside mapping files (reconciliation rules, S4.2) under the same sandbox, unless
     * {@code trusted}. Fails with a message naming {@code where} and, when refused, the sandbox's reason.
     */
    public static Class<? extends groovy.lang.Script> compile(String source, String className, String where, boolean trusted) {
        Checker checker = new Checker();
        groovy.lang.GroovyShell shell = trusted ? new groovy.lang.GroovyShell(GroovySandbox.class.getClassLoader())
                : new groovy.lang.GroovyShell(GroovySandbox.class.getClassLoader(), configuration(checker));
        try {
            return shell.parse(source, className).getClass();
        } catch (org.codehaus.groovy.control.CompilationFailedException e) {
            String refusal = checker.takeRefusal();
            if (refusal != null) {
                throw new MappingException(where + ": refused by the Groovy sandbox: " + refusal
                        + "; set ferry.groovy.trusted=true to allow any Groovy");
            }
            throw new MappingException(where + ": does not compile: "
                    + e.getMessage().replace("startup failed:", "").strip().replaceAll("\\s+", " "));
        }
    }

    static CompilerConfiguration configuration(Checker checker) {
        SecureASTCustomizer secure = new SecureASTCustomizer();
        secure.setMethodDefinitionAllowed(false);
        secure.setPackageAllowed(false);
        secure.setAllowedImports(List.of());
        secure.setAllowedStarImports(List.of());
        secure.setAllowedStaticImports(List.of());
        secure.setAllowedStaticStarImports(List.of());
        secure.addExpressionCheckers(checker);
        CompilerConfiguration config = new CompilerConfiguration();
        config.addCompilationCustomizers(secure);
        // @Grab would fetch and load code while compiling, before any check ran
        config.setDisabledGlobalASTTransformations(Set.of("groovy.grape.GrabAnnotationTransformation"));
        return config;
    }
}
