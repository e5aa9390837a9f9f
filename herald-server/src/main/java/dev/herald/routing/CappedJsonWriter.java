package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Serializes a rendered body, giving up past a size limit. A single-tag value such as {@code "{{payload}}"}
 * is a shared node, cheap to place a thousand times in a tree; its size only shows when written out.
 */
final class CappedJsonWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CappedJsonWriter() {}

    /** @throws TransformationRenderException when the JSON would exceed {@code limit} bytes */
    static byte[] write(JsonNode body, long limit) {
        CappedBytes out = new CappedBytes(limit);
        try {
            JSON.writeValue(out, body);
        } catch (IOException e) {
            // Jackson wraps what the stream throws; the cap's own verdict is what the caller needs
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof TransformationRenderException tooLarge) {
                    throw tooLarge;
                }
            }
            throw new UncheckedIOException(e);
        }
        return out.bytes.toByteArray();
    }

    private static final class CappedBytes extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final long limit;

        CappedBytes(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            check(1);
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            check(len);
            bytes.write(b, off, len);
        }

        private void check(int more) {
            if (bytes.size() + (long) more > limit) {
                throw new TransformationRenderException("rendered body exceeds " + limit + " bytes");
            }
        }
    }
}
