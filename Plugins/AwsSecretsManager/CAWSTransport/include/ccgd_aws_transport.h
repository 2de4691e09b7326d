/* The AWS Secrets Manager plug-in's C side: one HTTP(S) request through libcurl, and the two
 * hashes of Signature Version 4 through libcrypto. Swift cannot call curl_easy_setopt (variadic). */
#ifndef CCGD_AWS_TRANSPORT_H
#define CCGD_AWS_TRANSPORT_H
#include <stddef.h>

/* One request. `headers` is a NULL-terminated array of "Name: value" lines; `body` may be NULL
 * (then `method` alone decides: "GET" or "PUT" without a body). On success returns 0, sets
 * *status and *response (malloc'ed, *response_length bytes; free it with ccgd_aws_free, which
 * zeroes it first). On failure returns libcurl's error code and writes a one-line reason to
 * `error` (no secret: libcurl's messages name hosts and errors only). */
int ccgd_aws_http(const char *method, const char *url, const char *const *headers,
                  const unsigned char *body, size_t body_length,
                  long connect_timeout_ms, long timeout_ms,
                  long *status, unsigned char **response, size_t *response_length,
                  char *error, size_t error_size);

/* Zeroes and frees a response. */
void ccgd_aws_free(unsigned char *response, size_t length);

/* HMAC-SHA256 and SHA-256 into a 32-byte `out`; 0 on success. */
int ccgd_aws_hmac_sha256(const unsigned char *key, size_t key_length,
                         const unsigned char *data, size_t data_length, unsigned char *out);
int ccgd_aws_sha256(const unsigned char *data, size_t length, unsigned char *out);

#endif
