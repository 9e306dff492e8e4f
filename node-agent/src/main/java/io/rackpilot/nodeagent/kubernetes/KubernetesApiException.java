package io.rackpilot.nodeagent.kubernetes;

import java.net.HttpURLConnection;

/**
 * A Kubernetes API call that failed: the status code (0 when the API server could not be reached)
 * and a message naming the call.
 */
public final class KubernetesApiException
        extends Exception
{
    private final int code;

    public KubernetesApiException(String message, int code, Throwable cause)
    {
        super(message, cause);
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /**
     * The object changed since it was read (409): read it again and retry.
     */
    public boolean conflict()
    {
        return code == HttpURLConnection.HTTP_CONFLICT;
    }

    public boolean unreachable()
    {
        return code == 0;
    }
}
