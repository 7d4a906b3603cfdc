// Start an executor with posix_spawn instead of fork: lib/process/native-spawn.ts explains why and holds
// everything that is not a system call. This file only starts the process (its own session, its stdio on
// three socket pairs, signals back to their defaults) and reports its exit through a pidfd watched on the
// event loop, so the Node process never copies its page tables for a child that will exec at once.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <node_api.h>
#include <signal.h>
#include <stdio.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define CHECK(env, call)                                     \
  do {                                                       \
    if ((call) != napi_ok) {                                 \
      napi_throw_error((env), NULL, "native spawn: " #call); \
      return NULL;                                           \
    }                                                        \
  } while (0)

/** One started child: its pidfd on the loop until it is reaped, and the callback told how it ended. */
typedef struct Watch {
  uv_poll_t poll;
  napi_env env;
  pid_t pid;
  int pidfd;
  napi_ref on_exit;
  napi_async_context context;
} Watch;

static int pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

/** Throw an Error for a failed system call with its errno (negative, as Node's), syscall and path; native-spawn.ts names it. */
static void throw_errno(napi_env env, int err, const char* syscall_name, const char* path) {
  napi_value message, error, value;
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  napi_create_int32(env, -err, &value);
  napi_set_named_property(env, error, "errno", value);
  napi_create_string_utf8(env, syscall_name, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "syscall", value);
  napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "path", value);
  napi_throw(env, error);
}

/** A JS string as a malloc'd C string (NULL, with an exception pending, if it is not a string). */
static char* c_string(napi_env env, napi_value value) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char* text = malloc(length + 1);
  if (text == NULL) return NULL;
  napi_get_value_string_utf8(env, value, text, length + 1, &length);
  if (strlen(text) != length) {  // an embedded NUL: execve would cut the string short
    free(text);
    napi_throw_type_error(env, NULL, "native spawn: a string holds a NUL character");
    return NULL;
  }
  return text;
}

static void free_strings(char** list) {
  if (list == NULL) return;
  for (char** p = list; *p != NULL; p++) free(*p);
  free(list);
}

/** A JS array of strings as a NULL-terminated, malloc'd list (NULL, with an exception pending, on failure). */
static char** c_strings(napi_env env, napi_value array) {
  uint32_t count;
  if (napi_get_array_length(env, array, &count) != napi_ok) return NULL;
  char** list = calloc(count + 1, sizeof(char*));
  if (list == NULL) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    napi_get_element(env, array, i, &item);
    list[i] = c_string(env, item);
    if (list[i] == NULL) {
      free_strings(list);
      return NULL;
    }
  }
  return list;
}

static void watch_closed(uv_handle_t* handle) {
  Watch* watch = (Watch*)handle->data;
  close(watch->pidfd);
  free(watch);
}

/** The pidfd is readable: the child exited. Reap it, tell JS (exit code or signal number), let go of the handle. */
static void on_pidfd(uv_poll_t* poll, int status, int events) {
  (void)status;
  (void)events;
  Watch* watch = (Watch*)poll->data;
  int wstatus = 0;
  pid_t reaped;
  do reaped = waitpid(watch->pid, &wstatus, WNOHANG);
  while (reaped < 0 && errno == EINTR);
  if (reaped == 0) return;  // not yet (a spurious wake-up)
  uv_poll_stop(poll);
  napi_env env = watch->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, receiver, argv[2];
  napi_get_reference_value(env, watch->on_exit, &callback);
  napi_get_global(env, &receiver);  // napi_make_callback wants an object
  if (reaped > 0 && WIFEXITED(wstatus)) {
    napi_create_int32(env, WEXITSTATUS(wstatus), &argv[0]);
    napi_get_null(env, &argv[1]);
  } else if (reaped > 0 && WIFSIGNALED(wstatus)) {
    napi_get_null(env, &argv[0]);
    napi_create_int32(env, WTERMSIG(wstatus), &argv[1]);
  } else {  // cannot happen for our own child; report it as gone without a status
    napi_get_null(env, &argv[0]);
    napi_get_null(env, &argv[1]);
  }
  napi_status called = napi_make_callback(env, watch->context, receiver, callback, 2, argv, NULL);
  if (called == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_delete_reference(env, watch->on_exit);
  napi_async_destroy(env, watch->context);
  napi_close_handle_scope(env, scope);
  uv_close((uv_handle_t*)poll, watch_closed);
}

/**
 * spawn(file, argv, envp, cwd, onExit[, niceIncrement]) → [pid, stdin, stdout, stderr]: file is an absolute
 * path (no PATH search), argv[0] included; niceIncrement (0 to 39, default 0) lowers the child's scheduling
 * priority that far below this thread's; the three fds are this process's ends of the child's stdio (socket pairs, as
 * libuv uses). The child is a session leader (its pid is its group id) with every signal at its default
 * and none blocked. onExit(code, signal) is called once, when the child was reaped. Throws like Node's
 * spawn (err.code ENOENT, EACCES, ENOEXEC, …) when the child could not be started.
 */
static napi_value spawn_child(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "native spawn: expected (file, argv, envp, cwd, onExit[, niceIncrement])");
    return NULL;
  }
  double nice_value = 0;
  if (argc >= 6 && (napi_get_value_double(env, args[5], &nice_value) != napi_ok || !(nice_value >= 0 && nice_value <= 39) || nice_value != (double)(int)nice_value)) {
    napi_throw_type_error(env, NULL, "native spawn: niceIncrement must be a whole number from 0 to 39");
    return NULL;
  }
  int nice_increment = (int)nice_value;
  char* file = c_string(env, args[0]);
  char** argv = file == NULL ? NULL : c_strings(env, args[1]);
  char** envp = argv == NULL ? NULL : c_strings(env, args[2]);
  char* cwd = envp == NULL ? NULL : c_string(env, args[3]);
  napi_value result = NULL;
  int pairs[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  int actions_ready = 0, attributes_ready = 0;
  if (cwd == NULL) goto done;

  for (int i = 0; i < 3; i++) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairs[i]) != 0) {
      throw_errno(env, errno, "socketpair", file);
      goto done;
    }
  }
  // The child's end of each pair becomes its fd 0, 1 or 2 (dup2 clears close-on-exec on the copy).
  posix_spawn_file_actions_init(&actions);
  actions_ready = 1;
  for (int i = 0; i < 3; i++) posix_spawn_file_actions_adddup2(&actions, pairs[i][1], i);
  posix_spawn_file_actions_addchdir_np(&actions, cwd);

  posix_spawnattr_init(&attributes);
  attributes_ready = 1;
  sigset_t all, none;
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  // glibc's sigfillset leaves out the signals it keeps for itself (32 and 33: thread cancel, setxid), and
  // its posix_spawn then hands them to the child ignored, which survives exec. libuv's child has them at
  // their default: set their bits by hand (the child is single-threaded and about to exec).
  for (int sig = __SIGRTMIN; sig < SIGRTMIN; sig++) {
    const size_t bits = 8 * sizeof all.__val[0];
    all.__val[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
  }
  sigemptyset(&none);
  // Node ignores SIGPIPE and may block signals on its threads: the child gets the defaults, as libuv gives.
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  pid_t pid;
  int failed = posix_spawn(&pid, file, &actions, &attributes, argv, envp);
  if (failed != 0) {
    throw_errno(env, failed, "spawn", file);
    goto done;
  }
  for (int i = 0; i < 3; i++) {
    close(pairs[i][1]);
    pairs[i][1] = -1;
  }
  if (nice_increment > 0) {
    // Below this thread's priority by the increment (nice 19 at most). The whole group: the child may
    // already have started another process there; what it starts later inherits it. Best effort: one it
    // is forking while this runs may keep the old value.
    errno = 0;
    int own = getpriority(PRIO_PROCESS, 0);
    if (errno == 0) setpriority(PRIO_PGRP, (id_t)pid, own + nice_increment > 19 ? 19 : own + nice_increment);
  }

  Watch* watch = calloc(1, sizeof(Watch));
  int pidfd = watch == NULL ? -1 : pidfd_open(pid);
  int failed_watch = watch == NULL ? ENOMEM : pidfd < 0 ? errno : 0;
  uv_loop_t* loop = NULL;
  if (failed_watch == 0 && napi_get_uv_event_loop(env, &loop) != napi_ok) failed_watch = EINVAL;
  if (failed_watch == 0) failed_watch = -uv_poll_init(loop, &watch->poll, pidfd);  // on failure nothing is registered
  int polling = 0;
  if (failed_watch == 0) {
    watch->poll.data = watch;
    watch->pidfd = pidfd;
    failed_watch = -uv_poll_start(&watch->poll, UV_READABLE, on_pidfd);
    polling = 1;
  }
  if (failed_watch != 0) {
    // Cannot watch it: end it rather than leave a child nobody reaps (pidfd_open needs Linux 5.3).
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    if (polling) {
      uv_close((uv_handle_t*)&watch->poll, watch_closed);  // closes the pidfd and frees the watch
    } else {
      if (pidfd >= 0) close(pidfd);
      free(watch);
    }
    throw_errno(env, failed_watch, "pidfd_open", file);
    goto done;
  }
  watch->env = env;
  watch->pid = pid;
  napi_create_reference(env, args[4], 1, &watch->on_exit);
  napi_value resource_name;
  napi_create_string_utf8(env, "agent-runner:executor", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &watch->context);

  napi_create_array_with_length(env, 4, &result);
  napi_value value;
  napi_create_int32(env, pid, &value);
  napi_set_element(env, result, 0, value);
  for (int i = 0; i < 3; i++) {
    napi_create_int32(env, pairs[i][0], &value);
    napi_set_element(env, result, i + 1, value);
    pairs[i][0] = -1;  // JS owns it now
  }

done:
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++)
      if (pairs[i][j] >= 0) close(pairs[i][j]);
  if (actions_ready) posix_spawn_file_actions_destroy(&actions);
  if (attributes_ready) posix_spawnattr_destroy(&attributes);
  free(file);
  free_strings(argv);
  free_strings(envp);
  free(cwd);
  return result;
}

/** Whether this kernel has pidfd_open (Linux 5.3): without it the JS side uses node:child_process. */
static napi_value supported(napi_env env, napi_callback_info info) {
  (void)info;
  int pidfd = pidfd_open(getpid());
  if (pidfd >= 0) close(pidfd);
  napi_value value;
  napi_get_boolean(env, pidfd >= 0, &value);
  return value;
}

/**
 * kill(2) that answers instead of throwing: 0, or the errno (ESRCH: no such process or group). Node's
 * process.kill builds an Error with a stack for every ESRCH, ~4x the system call's cost, and a runner asks
 * whether an executor's group is gone a few times per run, the answer being "gone" nearly every time.
 */
static napi_value kill_process(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  int32_t pid, sig;
  CHECK(env, napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc != 2) {
    napi_throw_type_error(env, NULL, "native kill: expected (pid, signal)");
    return NULL;
  }
  CHECK(env, napi_get_value_int32(env, args[0], &pid));
  CHECK(env, napi_get_value_int32(env, args[1], &sig));
  napi_value value;
  CHECK(env, napi_create_int32(env, kill(pid, sig) == 0 ? 0 : errno, &value));
  return value;
}

/**
 * limitMallocArenas(n) → whether the C library took it: no more than n malloc arenas from now on (glibc's
 * M_ARENA_MAX; false elsewhere). glibc gives each thread that allocates while others hold the lock an
 * arena of its own, up to 8 per core, and the pages each arena touched stay resident: in a daemon whose
 * other threads (V8's compiler and GC workers, libuv's pool) allocate now and then, that is memory that
 * grows with load and never comes back. Arenas made before the call stay; threads that would have made a
 * new one share those. glibc fixes its limit only once it holds more than 8 arenas, so the call still
 * counts after start-up.
 */
static napi_value limit_malloc_arenas(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  double count;
  CHECK(env, napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc != 1 || napi_get_value_double(env, args[0], &count) != napi_ok || !(count >= 1 && count <= 1024) || count != (double)(int)count) {
    napi_throw_type_error(env, NULL, "native limitMallocArenas: expected a whole number of arenas, 1 to 1024");
    return NULL;
  }
  int taken = 0;
#ifdef M_ARENA_MAX
  taken = mallopt(M_ARENA_MAX, (int)count) == 1;
#endif
  napi_value value;
  CHECK(env, napi_get_boolean(env, taken, &value));
  return value;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, spawn_child, NULL, &fn);
  napi_set_named_property(env, exports, "spawn", fn);
  napi_create_function(env, "supported", NAPI_AUTO_LENGTH, supported, NULL, &fn);
  napi_set_named_property(env, exports, "supported", fn);
  napi_create_function(env, "kill", NAPI_AUTO_LENGTH, kill_process, NULL, &fn);
  napi_set_named_property(env, exports, "kill", fn);
  napi_create_function(env, "limitMallocArenas", NAPI_AUTO_LENGTH, limit_malloc_arenas, NULL, &fn);
  napi_set_named_property(env, exports, "limitMallocArenas", fn);
  return exports;
}
