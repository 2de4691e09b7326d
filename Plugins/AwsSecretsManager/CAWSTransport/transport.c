#include "ccgd_aws_transport.h"
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An answer is one small JSON document: more than this is not Secrets Manager or metadata. */
#define MAXIMUM_RESPONSE (1024 * 1024)

struct response {
    unsigned char *bytes;
    size_t length, capacity;
};

/* Grows without realloc, so no copy of a secret is left behind un-zeroed. */
static size_t append(char *data, size_t size, size_t count, void *context) {
    struct response *response = context;
    size_t length = size * count;
    if (length > MAXIMUM_RESPONSE - response->length) return 0;
    if (response->length + length > response->capacity) {
        size_t capacity = response->capacity ? response->capacity * 2 : 4096;
        while (capacity < response->length + length) capacity *= 2;
        unsigned char *larger = malloc(capacity);
        if (!larger) return 0;
        if (response->bytes) {
            memcpy(larger, response->bytes, response->length);
            OPENSSL_cleanse(response->bytes, response->capacity);
            free(response->bytes);
        }
        response->bytes = larger;
        response->capacity = capacity;
    }
    memcpy(response->bytes + response->length, data, length);
    response->length += length;
    return length;
}

static pthread_once_t initialized = PTHREAD_ONCE_INIT;
static void initialize(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

int ccgd_aws_http(const char *method, const char *url, const char *const *headers,
                  const unsigned char *body, size_t body_length,
                  long connect_timeout_ms, long timeout_ms,
                  long *status, unsigned char **response_out, size_t *response_length,
                  char *error, size_t error_size) {
    pthread_once(&initialized, initialize);
    char reason[CURL_ERROR_SIZE] = "";
    struct response response = {0};
    struct curl_slist *list = NULL;
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(error, error_size, "libcurl could not start a request");
        return CURLE_FAILED_INIT;
    }
    for (const char *const *header = headers; header && *header; header++) {
        struct curl_slist *longer = curl_slist_append(list, *header);
        if (!longer) {
            curl_slist_free_all(list);
            curl_easy_cleanup(curl);
            snprintf(error, error_size, "out of memory");
            return CURLE_OUT_OF_MEMORY;
        }
        list = longer;
    }
    /* libcurl adds "Expect: 100-continue" to large bodies; a signed request must not change. */
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
    } else if (strcmp(method, "PUT") == 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, reason);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    const char *bundle = getenv("AWS_CA_BUNDLE");
    if (bundle && *bundle) curl_easy_setopt(curl, CURLOPT_CAINFO, bundle);

    CURLcode result = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (result != CURLE_OK) {
        if (result == CURLE_WRITE_ERROR && response.length > 0)
            snprintf(error, error_size, "the answer is larger than %d bytes", MAXIMUM_RESPONSE);
        else
            snprintf(error, error_size, "%s", reason[0] ? reason : curl_easy_strerror(result));
        ccgd_aws_free(response.bytes, response.capacity);
        return (int)result;
    }
    *response_out = response.bytes;
    *response_length = response.length;
    /* The caller frees `length` bytes; the rest of the capacity is zeroed now. */
    if (response.bytes) OPENSSL_cleanse(response.bytes + response.length, response.capacity - response.length);
    return 0;
}

void ccgd_aws_free(unsigned char *response, size_t length) {
    if (!response) return;
    OPENSSL_cleanse(response, length);
    free(response);
}

int ccgd_aws_hmac_sha256(const unsigned char *key, size_t key_length,
                         const unsigned char *data, size_t data_length, unsigned char *out) {
    unsigned int length = 0;
    return HMAC(EVP_sha256(), key, (int)key_length, data, data_length, out, &length) && length == 32 ? 0 : -1;
}

int ccgd_aws_sha256(const unsigned char *data, size_t length, unsigned char *out) {
    unsigned int written = 0;
    return EVP_Digest(data, length, out, &written, EVP_sha256(), NULL) && written == 32 ? 0 : -1;
}
