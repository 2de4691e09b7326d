/*
 * A shared-object plug-in for ccgd in C: the whole of ccgd_plugin.h in one file.
 *
 *   cc -shared -fPIC -Wall -Wextra -I Sources/CCGPluginABI/include \
 *      -o libsample_plugin.so Plugins/Samples/CSample/sample_plugin.c
 *
 * It answers from its input, for tests:
 *   user@domain       that user and domain, password "sample-password";
 *   fail:CODE         that error (invalid_input, not_found, access_denied, unavailable,
 *                     malformed_secret, failed, or a number) with a message;
 *   silent:CODE       that error without a message;
 *   hang              an answer after an hour, for timeout tests;
 *   empty-password, bad-utf8-user, bad-utf8-password
 *                     answers that break the contract, which ccgd must refuse.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccgd_plugin.h"

static const char sample_password[] = "sample-password";

static int code_named(const char *name) {
    static const struct { const char *name; int code; } codes[] = {
        {"invalid_input", CCGD_PLUGIN_E_INVALID_INPUT},
        {"not_found", CCGD_PLUGIN_E_NOT_FOUND},
        {"access_denied", CCGD_PLUGIN_E_ACCESS_DENIED},
        {"unavailable", CCGD_PLUGIN_E_UNAVAILABLE},
        {"malformed_secret", CCGD_PLUGIN_E_MALFORMED_SECRET},
        {"failed", CCGD_PLUGIN_E_FAILED},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (strcmp(name, codes[i].name) == 0) return codes[i].code;
    }
    int number = atoi(name);
    return number != 0 ? number : CCGD_PLUGIN_E_FAILED;
}

/* Sets *message to "sample plug-in: " followed by format with its one string argument. */
static void set_message(char **message, const char *format, const char *argument) {
    char text[512];
    snprintf(text, sizeof text, format, argument);
    *message = malloc(strlen("sample plug-in: ") + strlen(text) + 1);
    if (*message == NULL) return;
    strcpy(*message, "sample plug-in: ");
    strcat(*message, text);
}

/* Sets the three answers to copies; a failed copy is "failed" (ccgd frees what was set). */
static int answer(const char *domain, const char *user, const char *secret,
                  char **domain_name, char **username, char **password) {
    *domain_name = strdup(domain);
    *username = strdup(user);
    *password = strdup(secret);
    return *domain_name && *username && *password ? CCGD_PLUGIN_OK : CCGD_PLUGIN_E_FAILED;
}

static int get_password_credentials(void *context, const char *input, char **domain_name,
                                    char **username, char **password, char **error_message) {
    (void)context;
    if (strncmp(input, "fail:", 5) == 0) {
        set_message(error_message, "asked to fail with %s.", input + 5);
        return code_named(input + 5);
    }
    if (strncmp(input, "silent:", 7) == 0) return code_named(input + 7);
    if (strcmp(input, "hang") == 0) {
        sleep(3600);
        return answer("contoso.com", "user", sample_password, domain_name, username, password);
    }
    if (strcmp(input, "empty-password") == 0) {
        return answer("contoso.com", "user", "", domain_name, username, password);
    }
    if (strcmp(input, "bad-utf8-user") == 0) {
        return answer("contoso.com", "us\xC3\x28r", sample_password, domain_name, username, password);
    }
    if (strcmp(input, "bad-utf8-password") == 0) {
        return answer("contoso.com", "user", "sample-\xFF-password", domain_name, username, password);
    }
    const char *at = strrchr(input, '@');
    if (at == NULL || at == input || at[1] == '\0') {
        set_message(error_message, "input \"%s\" is not user@domain; give the user and domain to answer with.", input);
        return CCGD_PLUGIN_E_INVALID_INPUT;
    }
    char *user = strndup(input, (size_t)(at - input));
    int result = user ? answer(at + 1, user, sample_password, domain_name, username, password) : CCGD_PLUGIN_E_FAILED;
    free(user);
    return result;
}

static void free_string(void *context, char *s) {
    (void)context;
    if (s == NULL) return;
    explicit_bzero(s, strlen(s));
    free(s);
}

/* Variants ccgd's tests build from this file (without -Wall) to check that broken plug-ins are
 * refused: another ABI version, a short table, no function, a NULL table, no entry point. */
#ifndef CCGD_SAMPLE_ABI_VERSION
#define CCGD_SAMPLE_ABI_VERSION CCGD_PLUGIN_ABI_VERSION
#endif
#ifndef CCGD_SAMPLE_STRUCT_SIZE
#define CCGD_SAMPLE_STRUCT_SIZE sizeof(struct ccgd_plugin_v1)
#endif
#ifdef CCGD_SAMPLE_NO_FUNCTION
#define CCGD_SAMPLE_FUNCTION NULL
#else
#define CCGD_SAMPLE_FUNCTION get_password_credentials
#endif

static const struct ccgd_plugin_v1 table = {
    .abi_version = CCGD_SAMPLE_ABI_VERSION,
    .struct_size = CCGD_SAMPLE_STRUCT_SIZE,
    .name = "Sample C plug-in",
    .context = NULL,
    .get_password_credentials = CCGD_SAMPLE_FUNCTION,
    .free_string = free_string,
};

#ifndef CCGD_SAMPLE_NO_ENTRY
const struct ccgd_plugin_v1 *ccgd_plugin_entry(uint32_t host_abi_version) {
#ifdef CCGD_SAMPLE_REFUSE_HOST
    (void)host_abi_version;
    return NULL;
#else
    return host_abi_version >= CCGD_PLUGIN_ABI_VERSION ? &table : NULL;
#endif
}
#else
/* Exported under another name, so the library loads but has no entry point. */
CCGD_PLUGIN_EXPORT const struct ccgd_plugin_v1 *sample_plugin_entry(uint32_t host_abi_version) {
    return host_abi_version >= CCGD_PLUGIN_ABI_VERSION ? &table : NULL;
}
#endif
