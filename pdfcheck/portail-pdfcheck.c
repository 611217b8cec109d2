
/*
 * portail-pdfcheck: inspects one uploaded PDF, read on standard input,
 * and writes its verdict on standard output, one line:
 *
 *     <word> <what was found>\n
 *
 * the word being ok, actif, chiffre, illisible or complexe
 * (portail_pdf_verdict_word()).  The exit status is 0 whatever the
 * verdict; anything else (no line, a signal) is a failure of the check.
 *
 * The module runs it from nginx's thread pool for each PDF of an upload
 * (core/ngx_http_portail_pdf.c), never in a worker: libqpdf 11 decodes
 * cross-reference and object streams into memory without a limit of its
 * own, and a parser's bug must not reach the worker's memory (sessions,
 * database connections).  Here the limits are the process's: address
 * space, processor time, no process started, no core; and once the file
 * is read, a seccomp filter leaves it memory and its two output
 * descriptors, nothing else (no file, no socket, no program).
 *
 * Standard output may be a pipe or a file: portail-pdfcheck < a.pdf | cat
 */


#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "ngx_http_portail_pdfcheck.h"


/* what qpdf may allocate, decoding streams included; and processor time */
#define PORTAIL_PDFCHECK_MEMORY   (768 * 1024 * 1024)
#define PORTAIL_PDFCHECK_SECONDS  8

/* portail_upload_max_size is limited to 10m */
#define PORTAIL_PDFCHECK_MAX_SIZE  (10 * 1024 * 1024)


static int portail_pdfcheck_confine(void);
static void portail_pdfcheck_answer(const char *word, const char *why);
static void portail_pdfcheck_cpu(int signo);


int
main(void)
{
    char                   why[256];
    size_t                 len, cap;
    ssize_t                n;
    unsigned char         *p, *q;
    struct rlimit          rl;
    portail_pdf_verdict_e  verdict;

    /* nothing to trace or dump: the file is a tenant's */
    (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

    rl.rlim_cur = rl.rlim_max = 0;
    if (setrlimit(RLIMIT_CORE, &rl) != 0
        || setrlimit(RLIMIT_NPROC, &rl) != 0)
    {
        portail_pdfcheck_answer("illisible", "limites refusées");
        return 0;
    }

    /*
     * Over the soft limit, SIGXCPU: the answer is "too complex".  The hard
     * limit a second later kills it, should the handler not run.
     */
    rl.rlim_cur = PORTAIL_PDFCHECK_SECONDS;
    rl.rlim_max = PORTAIL_PDFCHECK_SECONDS + 1;
    if (signal(SIGXCPU, portail_pdfcheck_cpu) == SIG_ERR
        || setrlimit(RLIMIT_CPU, &rl) != 0)
    {
        portail_pdfcheck_answer("illisible", "limites refusées");
        return 0;
    }

    rl.rlim_cur = rl.rlim_max = PORTAIL_PDFCHECK_MEMORY;
    if (setrlimit(RLIMIT_AS, &rl) != 0) {
        portail_pdfcheck_answer("illisible", "limites refusées");
        return 0;
    }

    len = 0;
    cap = 1024 * 1024;
    p = malloc(cap);

    if (p == NULL) {
        portail_pdfcheck_answer("complexe", "mémoire épuisée");
        return 0;
    }

    for ( ;; ) {
        if (len == cap) {
            if (cap > PORTAIL_PDFCHECK_MAX_SIZE) {
                portail_pdfcheck_answer("complexe", "fichier trop grand");
                free(p);
                return 0;
            }

            cap *= 2;
            q = realloc(p, cap);

            if (q == NULL) {
                portail_pdfcheck_answer("complexe", "mémoire épuisée");
                free(p);
                return 0;
            }

            p = q;
        }

        n = read(STDIN_FILENO, p + len, cap - len);

        if (n == 0) {
            break;
        }

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }

            portail_pdfcheck_answer("illisible", "lecture impossible");
            free(p);
            return 0;
        }

        len += n;
    }

    if (portail_pdfcheck_confine() != 0) {
        portail_pdfcheck_answer("illisible", "confinement (seccomp) refusé");
        free(p);
        return 0;
    }

    verdict = portail_pdf_inspect(p, len, why, sizeof(why));

    portail_pdfcheck_answer(portail_pdf_verdict_word(verdict), why);

    free(p);

    return 0;
}


/*
 * What the inspection may do: allocate and free memory (not executable),
 * write on standard output and error, take an uncontended lock, end.  Any
 * other system call fails with EPERM.  On architectures without a filter
 * here, the process limits above are all there is.
 */

#if defined(__x86_64__)
#define PORTAIL_PDFCHECK_ARCH  AUDIT_ARCH_X86_64
#elif defined(__aarch64__) && defined(__AARCH64EL__)
#define PORTAIL_PDFCHECK_ARCH  AUDIT_ARCH_AARCH64
#endif

#define PORTAIL_BPF_ARG_LOW(n)                                                \
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,                                        \
             offsetof(struct seccomp_data, args) + 8 * (n))

#define PORTAIL_BPF_ALLOW(nr)                                                 \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                          \
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* allowed when its prot argument (the third) has no PROT_EXEC */
#define PORTAIL_BPF_NOEXEC(nr)                                                \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4),                          \
    PORTAIL_BPF_ARG_LOW(2),                                                   \
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),                    \
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),                     \
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static int
portail_pdfcheck_confine(void)
{
#ifdef PORTAIL_PDFCHECK_ARCH
    struct sock_filter  filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PORTAIL_PDFCHECK_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),

        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),

        /* write: standard output and error only */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, 0, 5),
        PORTAIL_BPF_ARG_LOW(0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, STDOUT_FILENO, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, STDERR_FILENO, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),

        PORTAIL_BPF_NOEXEC(__NR_mmap),
        PORTAIL_BPF_NOEXEC(__NR_mprotect),

        PORTAIL_BPF_ALLOW(__NR_brk),
        PORTAIL_BPF_ALLOW(__NR_munmap),
        PORTAIL_BPF_ALLOW(__NR_mremap),
        PORTAIL_BPF_ALLOW(__NR_madvise),
        PORTAIL_BPF_ALLOW(__NR_futex),
        PORTAIL_BPF_ALLOW(__NR_getrandom),
        PORTAIL_BPF_ALLOW(__NR_clock_gettime),
        PORTAIL_BPF_ALLOW(__NR_rt_sigreturn),
        PORTAIL_BPF_ALLOW(__NR_rt_sigprocmask),
        /* abort(): raising SIGABRT */
        PORTAIL_BPF_ALLOW(__NR_getpid),
        PORTAIL_BPF_ALLOW(__NR_gettid),
        PORTAIL_BPF_ALLOW(__NR_tgkill),
        PORTAIL_BPF_ALLOW(__NR_exit),
        PORTAIL_BPF_ALLOW(__NR_exit_group),

        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    };

    struct sock_fprog  prog = {
        .len = (unsigned short) (sizeof(filter) / sizeof(filter[0])),
        .filter = filter,
    };

    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
#else
    return 0;
#endif
}


/* one line, written at once; a new line in the detail would end it early */

static void
portail_pdfcheck_answer(const char *word, const char *why)
{
    char    line[320];
    size_t  i, n;

    n = (size_t) snprintf(line, sizeof(line) - 1, "%s %s", word, why);

    if (n > sizeof(line) - 2) {
        n = sizeof(line) - 2;
    }

    for (i = 0; i < n; i++) {
        if (line[i] == '\n' || line[i] == '\r') {
            line[i] = ' ';
        }
    }

    line[n++] = '\n';

    if (write(STDOUT_FILENO, line, n) != (ssize_t) n) {
        /* no verdict: the module refuses the file */
        _exit(1);
    }
}


static void
portail_pdfcheck_cpu(int signo)
{
    static const char  line[] = "complexe temps de calcul dépassé\n";

    (void) signo;

    _exit(write(STDOUT_FILENO, line, sizeof(line) - 1) > 0 ? 0 : 1);
}
