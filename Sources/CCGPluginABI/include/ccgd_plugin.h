/*
 * ccgd_plugin.h: the C ABI of ccgd shared-object plug-ins, version 1.
 *
 * This header is the contract. A plug-in is a shared object (.so) that turns the CredSpec's
 * PluginInput into the portable user's domain, user name and password, as a plug-in for Windows'
 * ccg.exe does through ICcgDomainAuthCredentials::GetPasswordCredentials. It may be written in C,
 * C++, Rust, or Swift (CCGPlugin's PluginExport writes the table for a DomainAuthCredentials).
 *
 * Loading. Before loading, ccgd refuses a file that is not a regular file, that group or others
 * may write, or that is not owned by root, and a file whose directory group or others may write
 * (or that root does not own). It then calls dlopen(path, RTLD_NOW | RTLD_LOCAL), looks up
 * ccgd_plugin_entry, calls it once with CCGD_PLUGIN_ABI_VERSION, checks the table it returns and
 * keeps the library loaded until the process exits: ccgd never calls dlclose.
 *
 * Calls. ccgd calls get_password_credentials on a thread it creates for that call, never on a
 * thread of an event loop or of the Swift concurrency pool, so the function may block (network
 * I/O to a secret store). Several calls may run at the same time on different threads: the
 * plug-in must be thread-safe. ccgd may stop waiting for a call that takes too long; the call is
 * not interrupted, its thread just finishes later.
 *
 * Secrets. A plug-in must never print, log or put into error_message a password or any other
 * secret. ccgd overwrites the password with zeros before it hands it back to free_string.
 *
 * Strings. Every string is NUL-terminated UTF-8. Strings ccgd passes in belong to ccgd and are
 * valid only during the call. Strings the plug-in returns are allocated by the plug-in (malloc,
 * strdup, or its own allocator) and given back to it through free_string.
 *
 * A plug-in must not change process-wide state (signal handlers, the working directory, the
 * environment, the umask, user ids), call exit(), or write to stdout or stderr.
 */
#ifndef CCGD_PLUGIN_H
#define CCGD_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. A later header that only appends fields to the table
 * keeps it (struct_size tells the sizes apart); an incompatible change increments it. */
#define CCGD_PLUGIN_ABI_VERSION 1u

/* The name of the one symbol ccgd looks up with dlsym. */
#define CCGD_PLUGIN_ENTRY_SYMBOL "ccgd_plugin_entry"

/* What get_password_credentials returns: 0, or one of these codes. They mirror CCGPlugin's
 * PluginError.Code; ccgd treats any other non-zero value as CCGD_PLUGIN_E_FAILED. */
#define CCGD_PLUGIN_OK 0
/* The plug-in input is malformed or names nothing. */
#define CCGD_PLUGIN_E_INVALID_INPUT 1
/* The secret store does not have the secret. */
#define CCGD_PLUGIN_E_NOT_FOUND 2
/* The secret store refused access. */
#define CCGD_PLUGIN_E_ACCESS_DENIED 3
/* The secret store could not be reached. */
#define CCGD_PLUGIN_E_UNAVAILABLE 4
/* The secret exists but is not in a format the plug-in understands. */
#define CCGD_PLUGIN_E_MALFORMED_SECRET 5
/* Anything else. */
#define CCGD_PLUGIN_E_FAILED 6

/* The table a plug-in returns from ccgd_plugin_entry, like a COM vtable. The plug-in owns it and
 * everything it points to; all of it must stay valid and unchanged until the process exits
 * (static storage is the simplest way). */
struct ccgd_plugin_v1 {
    /* CCGD_PLUGIN_ABI_VERSION as the plug-in was built: ccgd refuses a version it does not speak. */
    uint32_t abi_version;

    /* sizeof(struct ccgd_plugin_v1) as the plug-in was built. ccgd refuses a table smaller than
     * the one it knows, and reads a field a later header appends only when struct_size covers it. */
    uint32_t struct_size;

    /* The display name ccgd shows in logs and errors, such as "Contoso Key Vault"; UTF-8.
     * May be NULL: ccgd then shows the file name. */
    const char *name;

    /* Passed unchanged as the first argument of every function below; may be NULL. */
    void *context;

    /* Looks up the portable user's credentials for plugin_input, the CredSpec's PluginInput as
     * given: a string, or the JSON text of an object (never NULL).
     *
     * ccgd sets *domain_name, *username, *password and *error_message to NULL before the call,
     * and after it calls free_string on each of them that is not NULL, whatever the result.
     *
     * On success, return 0 (CCGD_PLUGIN_OK) and set:
     *   *domain_name  the user's domain: DNS name (contoso.com), NetBIOS name (CONTOSO) or realm;
     *   *username     the user's sAMAccountName (or user@domain);
     *   *password     the user's password;
     * each non-empty, valid UTF-8. ccgd refuses an answer that is empty or not UTF-8.
     *
     * On failure, return a CCGD_PLUGIN_E_* code and, if possible, set *error_message to one
     * sentence saying what was wrong and what to do, naming no secret. ccgd shows it to the
     * operator (without one it shows the code).
     *
     * Called concurrently from several threads, each created by ccgd for the call; may block. */
    int (*get_password_credentials)(void *context, const char *plugin_input,
                                    char **domain_name, char **username, char **password,
                                    char **error_message);

    /* Frees a string get_password_credentials returned; ccgd calls it exactly once for each
     * (s is never NULL), from any thread. The password arrives overwritten with zeros; wiping
     * every string before freeing it costs little and is safer. */
    void (*free_string)(void *context, char *s);
};

/* Marks the entry point exported even when the plug-in is built with -fvisibility=hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define CCGD_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define CCGD_PLUGIN_EXPORT
#endif

/* The one symbol a plug-in exports. ccgd calls it with the highest ABI version it speaks
 * (CCGD_PLUGIN_ABI_VERSION of the ccgd build), from one thread, before any other call.
 *
 * Return a table whose abi_version is a version ccgd speaks (not above host_abi_version), or
 * NULL to refuse to work with this ccgd. If the same file is configured twice, ccgd may call the
 * entry point again: return the same table. */
CCGD_PLUGIN_EXPORT const struct ccgd_plugin_v1 *ccgd_plugin_entry(uint32_t host_abi_version);

/* The type of ccgd_plugin_entry, for dlsym. */
typedef const struct ccgd_plugin_v1 *(*ccgd_plugin_entry_fn)(uint32_t host_abi_version);

#ifdef __cplusplus
}
#endif

#endif /* CCGD_PLUGIN_H */
