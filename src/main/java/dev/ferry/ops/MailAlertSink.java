package dev.ferry.ops;

import dev.ferry.pipeline.Alerts;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.util.Date;
import java.util.Map;
import java.util.Properties;

/** Alerts as plain-text mail over SMTP (Jakarta Mail, Eclipse Angus): one message per delivered alert. */
final class MailAlertSink implements AlertSink {

    private final Session session;
    private final String from;
    private final String to;
    private final Alerts.Level level;

    MailAlertSink(String host, int port, boolean startTls, String username, String password, String from, String to, Alerts.Level level) {
        Properties props = new Properties();
        props.put("mail.smtp.host", host);
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.connectiontimeout", "5000");
        props.put("mail.smtp.timeout", "10000");
        props.put("mail.smtp.starttls.enable", Boolean.toString(startTls));
        boolean auth = username != null && !username.isBlank();
        props.put("mail.smtp.auth", Boolean.toString(auth));
        this.session = Session.getInstance(props, !auth ? null : new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(username, password);
            }
        });
        this.from = from;
        this.to = to;
        this.level = level;
    }

    @Override
    public String name() {
        return "mail to " + to;
    }

    @Override
    public Alerts.Level level() {
        return level;
    }

    @Override
    public void deliver(Map<String, Object> alert) throws Exception {
        MimeMessage mail = new MimeMessage(session);
        mail.setFrom(new InternetAddress(from));
        mail.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
        mail.setSubject("[Ferry " + alert.get("level") + "] " + alert.get("integration") + ": " + alert.get("kind"));
        mail.setSentDate(new Date());
        StringBuilder text = new StringBuilder().append(alert.get("message")).append("\n\n");
        for (String key : new String[] {"level", "integration", "kind", "time", "suppressedRepeats"}) {
            text.append(key).append(": ").append(alert.get(key)).append('\n');
        }
        mail.setText(text.toString(), "UTF-8");
        Transport.send(mail);
    }
}
