package io.rackpilot.sim.kubernetes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A failed request, answered as the API server's {@code Status} object.
 */
final class ApiStatusException
        extends RuntimeException
{
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final int code;
    private final String reason;
    private final ObjectNode details;

    ApiStatusException(int code, String reason, String message, ObjectNode details)
    {
        super(requireNonNull(message, "message is null"));
        this.code = code;
        this.reason = requireNonNull(reason, "reason is null");
        this.details = requireNonNull(details, "details is null");
    }

    int code()
    {
        return code;
    }

    ObjectNode status()
    {
        ObjectNode status = JSON.objectNode()
                .put("kind", "Status")
                .put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure")
                .put("message", getMessage())
                .put("reason", reason);
        if (!details.isEmpty() || code != 401) {
            status.set("details", details);
        }
        status.put("code", code);
        return status;
    }

    /**
     * {@code pods "x" not found}; {@code group} is empty for the core group.
     */
    static ApiStatusException notFound(String group, String resource, String name)
    {
        String qualified = group.isEmpty() ? resource : resource + "." + group;
        return new ApiStatusException(404, "NotFound", qualified + " \"" + name + "\" not found", details(group, resource, name));
    }

    static ApiStatusException resourceNotFound()
    {
        return new ApiStatusException(404, "NotFound", "the server could not find the requested resource", JSON.objectNode());
    }

    static ApiStatusException conflict(String group, String resource, String name)
    {
        String qualified = group.isEmpty() ? resource : resource + "." + group;
        return new ApiStatusException(409, "Conflict",
                "Operation cannot be fulfilled on " + qualified + " \"" + name + "\": the object has been modified; please apply your changes to the latest version and try again",
                details(group, resource, name));
    }

    static ApiStatusException badRequest(String message)
    {
        return new ApiStatusException(400, "BadRequest", message, JSON.objectNode());
    }

    static ApiStatusException methodNotAllowed()
    {
        return new ApiStatusException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", JSON.objectNode());
    }

    static ApiStatusException unauthorized()
    {
        return new ApiStatusException(401, "Unauthorized", "Unauthorized", JSON.objectNode());
    }

    static ApiStatusException unsupportedMediaType(String message)
    {
        return new ApiStatusException(415, "UnsupportedMediaType", message, JSON.objectNode());
    }

    /**
     * A 422 as {@code errors.NewInvalid} writes it: {@code Node "x" is invalid: FIELD: MESSAGE}.
     */
    static ApiStatusException invalid(String kind, String group, String name, List<FieldError> errors)
    {
        ObjectNode details = JSON.objectNode().put("name", name);
        if (!group.isEmpty()) {
            details.put("group", group);
        }
        details.put("kind", kind);
        List<String> messages = errors.stream().map(FieldError::toString).toList();
        errors.forEach(error -> details.withArray("causes").addObject()
                .put("reason", error.reason())
                .put("message", error.message())
                .put("field", error.field()));
        String joined = messages.size() == 1 ? messages.get(0) : "[" + String.join(", ", messages) + "]";
        return new ApiStatusException(422, "Invalid", kind + " \"" + name + "\" is invalid: " + joined, details);
    }

    /**
     * What the API server answers a JSON patch that cannot be applied (a failed {@code test}, a
     * missing path): a generic 422 without details.
     */
    static ApiStatusException patchNotApplied()
    {
        return new ApiStatusException(422, "Invalid", "the server rejected our request due to an error in our request", JSON.objectNode());
    }

    static ApiStatusException internalError(String message)
    {
        return new ApiStatusException(500, "InternalError", "Internal error occurred: " + message,
                JSON.objectNode().set("causes", JSON.arrayNode().add(JSON.objectNode().put("message", message))));
    }

    /**
     * A status code the fault hook asked for, with the reason the API server gives that code.
     */
    static ApiStatusException injected(int code)
    {
        return switch (code) {
            case 429 -> new ApiStatusException(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later", JSON.objectNode());
            case 500 -> internalError("simulated failure");
            case 503 -> new ApiStatusException(503, "ServiceUnavailable", "the server is currently unable to handle the request", JSON.objectNode());
            case 504 -> new ApiStatusException(504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request", JSON.objectNode());
            case 401 -> unauthorized();
            case 403 -> new ApiStatusException(403, "Forbidden", "forbidden: simulated failure", JSON.objectNode());
            default -> new ApiStatusException(code, code >= 500 ? "InternalError" : "BadRequest", "simulated failure with status " + code, JSON.objectNode());
        };
    }

    private static ObjectNode details(String group, String resource, String name)
    {
        ObjectNode details = JSON.objectNode().put("name", name);
        if (!group.isEmpty()) {
            details.put("group", group);
        }
        return details.put("kind", resource);
    }

    /**
     * One field error of a 422; {@code reason} is the cause type ({@code FieldValueInvalid}, ...).
     */
    record FieldError(String field, String reason, String message)
    {
        FieldError
        {
            requireNonNull(field, "field is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(message, "message is null");
        }

        static FieldError invalid(String field, String value, String detail)
        {
            return new FieldError(field, "FieldValueInvalid", "Invalid value: \"" + value + "\": " + detail);
        }

        static FieldError required(String field)
        {
            return new FieldError(field, "FieldValueRequired", "Required value");
        }

        static FieldError notSupported(String field, String value, List<String> supported)
        {
            return new FieldError(field, "FieldValueNotSupported", "Unsupported value: \"" + value + "\": supported values: "
                    + String.join(", ", supported.stream().map(text -> "\"" + text + "\"").toList()));
        }

        static FieldError duplicate(String field, String detail)
        {
            return new FieldError(field, "FieldValueDuplicate", "Duplicate value: \"" + detail + "\"");
        }

        static FieldError immutable(String field, String value)
        {
            return new FieldError(field, "FieldValueInvalid", "Invalid value: \"" + value + "\": field is immutable");
        }

        @Override
        public String toString()
        {
            return field + ": " + message;
        }
    }
}
