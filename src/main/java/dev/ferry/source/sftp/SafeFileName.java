package dev.ferry.source.sftp;

/**
 * File names from a partner's server (or an operator's command) are untrusted: they become remote paths and
 * local file names. Only a plain name inside the configured directory is accepted.
 */
final class SafeFileName {

    private SafeFileName() {
    }

    /** Why {@code name} is unsafe, or null when it is a plain file name. */
    static String problem(String name) {
        if (name == null || name.isBlank()) {
            return "an empty file name";
        }
        if (name.equals(".") || name.equals("..") || name.contains("..")) {
            return "'..' in the file name";
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return "a path separator in the file name";
        }
        if (name.startsWith("~") || name.indexOf(':') >= 0) {
            return "a home or drive prefix in the file name";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "a control character in the file name";
            }
        }
        if (name.length() > 255) {
            return "a file name longer than 255 characters";
        }
        return null;
    }

    /** The name, or an exception naming the problem (the name itself shown escaped). */
    static String require(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("unsafe file name " + shown(name) + ": " + problem);
        }
        return name;
    }

    /** The name as shown in messages: control characters escaped so a name cannot forge log lines. */
    static String shown(String name) {
        if (name == null) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder("'");
        for (char ch : name.toCharArray()) {
            sb.append(Character.isISOControl(ch) ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
        }
        return sb.append('\'').toString();
    }
}
