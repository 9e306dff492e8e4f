package io.rackpilot.common.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders a path of keys and list positions the way messages show it: {@code spec.vms[3].cores},
 * with keys that hold dots or slashes quoted ({@code labels["nvidia.com/gpu.present"]}).
 */
final class FieldPath
{
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private FieldPath() {}

    static String render(List<?> segments)
    {
        StringBuilder path = new StringBuilder();
        for (Object segment : segments) {
            if (segment instanceof Integer index) {
                path.append('[').append(index).append(']');
            }
            else {
                String key = String.valueOf(segment);
                if (!PLAIN_KEY.matcher(key).matches()) {
                    path.append("[\"").append(key.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
                }
                else {
                    if (path.length() > 0) {
                        path.append('.');
                    }
                    path.append(key);
                }
            }
        }
        return path.toString();
    }
}
