#ifndef KEYWARD_CCURL_SHIM_H
#define KEYWARD_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt is variadic, which Swift cannot call: one typed wrapper
   per kind of argument. */
static inline CURLcode keyward_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode keyward_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode keyward_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode keyward_curl_setopt_read_function(
    CURL *handle, size_t (*function)(char *buffer, size_t size, size_t count, void *context)) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, function);
}

/* The progress callback (CURLOPT_XFERINFOFUNCTION), typed: Keyward uses it
   to abort a transfer whose task was cancelled. */
static inline CURLcode keyward_curl_setopt_xferinfo_function(
    CURL *handle, int (*function)(void *context, curl_off_t, curl_off_t, curl_off_t, curl_off_t)) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, function);
}

/* curl_easy_getinfo is variadic too: the wrapper for `long` results
   (CURLINFO_RESPONSE_CODE, the last SMTP reply code). */
static inline CURLcode keyward_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
