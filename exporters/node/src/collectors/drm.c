/* drm: amdgpu cards' load and memory from <sysfs>/class/drm/card<N>/device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

static const struct {
    const char *file, *name, *help;
} numbers[] = {
    {"gpu_busy_percent", "node_drm_gpu_busy_percent", "How busy the GPU is as a percentage."},
    {"mem_info_gtt_total", "node_drm_memory_gtt_size_bytes",
     "The size of the graphics translation table (GTT) block in bytes."},
    {"mem_info_gtt_used", "node_drm_memory_gtt_used_bytes",
     "The used amount of the graphics translation table (GTT) block in bytes."},
    {"mem_info_vram_total", "node_drm_memory_vram_size_bytes", "The size of VRAM in bytes."},
    {"mem_info_vram_used", "node_drm_memory_vram_used_bytes", "The used amount of VRAM in bytes."},
    {"mem_info_vis_vram_total", "node_drm_memory_vis_vram_size_bytes",
     "The size of visible VRAM in bytes."},
    {"mem_info_vis_vram_used", "node_drm_memory_vis_vram_used_bytes",
     "The used amount of visible VRAM in bytes."},
};
#define NNUMBERS (sizeof numbers / sizeof numbers[0])

typedef struct card {
    const char *name;
    char vendor[64], level[64], unique_id[128];
    uint64_t v[NNUMBERS];
} card;

/* node_exporter globs card[0-9]: one digit, no connectors (card0-DP-1). */
static bool is_card(const char *n) {
    return !strncmp(n, "card", 4) && n[4] >= '0' && n[4] <= '9' && !n[5];
}

/* An attribute's first line; a missing one leaves buf "" (0 returned). */
static int read_attr(const char *cardname, const char *file, char *buf, size_t size) {
    char path[NODE_PATH_MAX];
    int r;
    buf[0] = '\0';
    if ((r = node_sys_path(path, sizeof path, "class/drm/%s/device/%s", cardname, file)) < 0)
        return r;
    r = omx_read_line(path, buf, size);
    if (r == -ENOENT || r == -ENODATA) {
        buf[0] = '\0';
        return 0;
    }
    return r;
}

/* Reads card n; *ret_amd is false for a card of another driver. */
static int read_card(card *c, bool *ret_amd) {
    char path[NODE_PATH_MAX], uevent[4096], *data;
    int r;
    if ((r = node_sys_path(path, sizeof path, "class/drm/%s/device/uevent", c->name)) < 0 ||
        (r = omx_read_file(path, sizeof uevent, &data, NULL)) < 0)
        return r;
    *ret_amd = strstr(data, "DRIVER=amdgpu") != NULL;
    free(data);
    if (!*ret_amd)
        return 0;
    for (size_t i = 0; i < NNUMBERS; i++) {
        char buf[64];
        if ((r = read_attr(c->name, numbers[i].file, buf, sizeof buf)) < 0)
            return r;
        if (buf[0] && omx_parse_u64(buf, &c->v[i]) < 0) {
            node_sys_path(path, sizeof path, "class/drm/%s/device/%s", c->name, numbers[i].file);
            return omx_bad_input("drm", path, 1, "not an unsigned integer");
        }
    }
    if ((r = read_attr(c->name, "mem_info_vram_vendor", c->vendor, sizeof c->vendor)) < 0 ||
        (r = read_attr(c->name, "power_dpm_force_performance_level", c->level, sizeof c->level)) <
            0 ||
        (r = read_attr(c->name, "unique_id", c->unique_id, sizeof c->unique_id)) < 0)
        return r;
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char dir[NODE_PATH_MAX], **names = NULL;
    int r;
    if ((r = node_sys_path(dir, sizeof dir, "class/drm")) < 0 ||
        (r = omx_list_dir(dir, &names)) < 0)
        return r;
    size_t nn = 0, n = 0;
    while (names[nn])
        nn++;
    card *cards = calloc(nn ? nn : 1, sizeof *cards);
    if (!cards) {
        r = OMX_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nn; i++) {
        if (!is_card(names[i]))
            continue;
        bool amd;
        cards[n] = (card){.name = names[i]};
        if ((r = read_card(&cards[n], &amd)) < 0)
            goto out;
        n += amd;
    }
    static const char *const info_labels[] = {"card", "memory_vendor", "power_performance_level",
                                              "unique_id", "vendor"};
    const omx_desc info = {.name = "node_drm_card_info",
                           .help = "Card information",
                           .type = OMX_GAUGE,
                           .label_names = info_labels,
                           .n_labels = 5};
    if ((r = omx_emit_family(e, &info)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const char *lv[] = {cards[i].name, cards[i].vendor, cards[i].level, cards[i].unique_id,
                            "amd"};
        if ((r = omx_emit_sample(e, lv, 1)) < 0)
            goto out;
    }
    static const char *const labels[] = {"card"};
    for (size_t f = 0; f < NNUMBERS; f++) {
        const omx_desc d = {.name = numbers[f].name,
                            .help = numbers[f].help,
                            .type = OMX_GAUGE,
                            .label_names = labels,
                            .n_labels = 1};
        if ((r = omx_emit_family(e, &d)) < 0)
            goto out;
        for (size_t i = 0; i < n; i++)
            if ((r = omx_emit_sample(e, &cards[i].name, (double)cards[i].v[f])) < 0)
                goto out;
    }
    r = 0;
out:
    free(cards);
    omx_strv_free(names);
    return r;
}

const node_collector node_collector_drm = {
    .name = "drm",
    .enabled_by_default = false,
    .collect = collect,
};
