// The packaged binary must run on glibc 2.34 (Amazon Linux 2023, Ubuntu 22.04: the
// CodeBuild images). Built on a newer glibc, the static Swift runtime's calls to hypot and
// hypotf bind to their GLIBC_2.35 versions; bin/package links with --wrap=hypot and
// --wrap=hypotf, which sends them here, to the versions every glibc since 2.2.5 has.
#if defined(__linux__) && defined(__x86_64__)
double __tsdeploy_hypot_compat(double, double);
float __tsdeploy_hypotf_compat(float, float);
__asm__(".symver __tsdeploy_hypot_compat, hypot@GLIBC_2.2.5");
__asm__(".symver __tsdeploy_hypotf_compat, hypotf@GLIBC_2.2.5");

double __wrap_hypot(double x, double y) { return __tsdeploy_hypot_compat(x, y); }
float __wrap_hypotf(float x, float y) { return __tsdeploy_hypotf_compat(x, y); }
#endif

// The static libstdc++ and libgcc_eh of the build machine's GCC were built against glibc
// 2.36: the unwinder finds frame tables with _dl_find_object (2.35) and random_device
// uses arc4random (2.36). --wrap sends both here, to what glibc 2.34 already has:
// dl_iterate_phdr and getrandom.
#if defined(__linux__)
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>

#ifdef DLFO_STRUCT_HAS_EH_DBASE
struct tsdeploy_find { uintptr_t pc; struct dl_find_object *out; int found; };

static int tsdeploy_find_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct tsdeploy_find *find = data;
    uintptr_t low = UINTPTR_MAX, high = 0;
    void *eh_frame = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type == PT_LOAD) {
            uintptr_t start = info->dlpi_addr + p->p_vaddr, end = start + p->p_memsz;
            if (start < low) low = start;
            if (end > high) high = end;
        } else if (p->p_type == PT_GNU_EH_FRAME) {
            eh_frame = (void *)(info->dlpi_addr + p->p_vaddr);
        }
    }
    if (find->pc < low || find->pc >= high) return 0;
    find->out->dlfo_flags = 0;
    find->out->dlfo_map_start = (void *)low;
    find->out->dlfo_map_end = (void *)high;
    find->out->dlfo_link_map = NULL;
    find->out->dlfo_eh_frame = eh_frame;
    find->found = 1;
    return 1;
}

int __wrap__dl_find_object(void *pc, struct dl_find_object *result) {
    struct tsdeploy_find find = { (uintptr_t)pc, result, 0 };
    dl_iterate_phdr(tsdeploy_find_object, &find);
    return find.found ? 0 : -1;
}
#endif

uint32_t __wrap_arc4random(void) {
    uint32_t value = 0;
    unsigned char *bytes = (unsigned char *)&value;
    size_t got = 0;
    while (got < sizeof value) {
        ssize_t n = getrandom(bytes + got, sizeof value - got, 0);
        if (n > 0) got += (size_t)n;
    }
    return value;
}
#endif
