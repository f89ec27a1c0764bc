/*
 * One sandbox state per thread that runs scripts: taking it costs a
 * thread-local read, no lock and no shared cache line, and the state is
 * closed when its thread exits.
 */
#include "sandbox_internal.h"

#include <pthread.h>

static pthread_key_t kw_thread_key;
static pthread_once_t kw_thread_key_once = PTHREAD_ONCE_INIT;
static __thread CLuaSandbox_State *kw_thread_state;

static void kw_close_at_thread_exit(void *state) {
    kw_thread_state = NULL;
    CLuaSandbox_close((CLuaSandbox_State *)state);
}

static void kw_make_thread_key(void) {
    (void)pthread_key_create(&kw_thread_key, kw_close_at_thread_exit);
}

CLuaSandbox_State *CLuaSandbox_thread_state(void) {
    if (kw_thread_state != NULL) return kw_thread_state;
    (void)pthread_once(&kw_thread_key_once, kw_make_thread_key);
    CLuaSandbox_State *state = CLuaSandbox_open();
    if (state == NULL) return NULL;
    if (pthread_setspecific(kw_thread_key, state) != 0) {
        CLuaSandbox_close(state);
        return NULL;
    }
    kw_thread_state = state;
    return state;
}

void CLuaSandbox_retire_thread_state(void) {
    CLuaSandbox_State *state = kw_thread_state;
    if (state == NULL) return;
    kw_thread_state = NULL;
    (void)pthread_setspecific(kw_thread_key, NULL);
    CLuaSandbox_close(state);
}
