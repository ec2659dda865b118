/* strptime() with Go time layouts ("Jan _2 15:04:05", "2006-01-02T15:04:05Z07:00"):
 * the layout is read element by element against the reference time and the
 * text parsed in step, the way Go's time.Parse reads it. Zones: a numeric
 * offset in the text wins; otherwise the override zone (UTC, a fixed offset
 * or a zoneinfo name) or the local zone. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

enum {
    E_LIT,
    E_YEAR4,
    E_YEAR2,
    E_MONTH_LONG,
    E_MONTH_SHORT,
    E_MONTH_NUM,
    E_MONTH_NUM2,
    E_WDAY_LONG,
    E_WDAY_SHORT,
    E_DAY,
    E_DAY2,
    E_DAY_SP,
    E_YDAY,
    E_HOUR24,
    E_HOUR12,
    E_HOUR12_2,
    E_MIN,
    E_MIN2,
    E_SEC,
    E_SEC2,
    E_PM_UPPER,
    E_PM_LOWER,
    E_TZ_NAME,
    E_TZ_HHMM,    /* -0700 */
    E_TZ_HH_MM,   /* -07:00 */
    E_TZ_HH,      /* -07 */
    E_TZ_Z_HHMM,  /* Z0700 */
    E_TZ_Z_HH_MM, /* Z07:00 */
    E_FRAC,       /* .000 or ,000 (exact digits) / .999 (optional) */
};

static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
static const char *const wdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                    "Thursday", "Friday", "Saturday"};

static bool pre(const char *s, size_t n, const char *p) {
    size_t l = strlen(p);
    return n >= l && memcmp(s, p, l) == 0;
}

/* Next element of the layout at l (n bytes left): its kind and length. */
static int next_elem(const char *l, size_t n, size_t *len, int *digits) {
    *digits = 0;
#define E(str, kind)        \
    if (pre(l, n, str)) {   \
        *len = strlen(str); \
        return kind;        \
    }
    switch (l[0]) {
    case 'J':
        E("January", E_MONTH_LONG);
        E("Jan", E_MONTH_SHORT);
        break;
    case 'M':
        E("Monday", E_WDAY_LONG);
        E("Mon", E_WDAY_SHORT);
        E("MST", E_TZ_NAME);
        break;
    case '0':
        E("01", E_MONTH_NUM2);
        E("02", E_DAY2);
        E("03", E_HOUR12_2);
        E("04", E_MIN2);
        E("05", E_SEC2);
        E("06", E_YEAR2);
        E("002", E_YDAY);
        break;
    case '1':
        E("15", E_HOUR24);
        E("1", E_MONTH_NUM);
        break;
    case '2':
        E("2006", E_YEAR4);
        E("2", E_DAY);
        break;
    case '_':
        E("_2006", E_LIT); /* Go: '_' then a year */
        E("__2", E_YDAY);
        E("_2", E_DAY_SP);
        break;
    case '3': E("3", E_HOUR12); break;
    case '4': E("4", E_MIN); break;
    case '5': E("5", E_SEC); break;
    case 'P': E("PM", E_PM_UPPER); break;
    case 'p': E("pm", E_PM_LOWER); break;
    case '-':
        E("-07:00:00", E_TZ_HH_MM);
        E("-0700", E_TZ_HHMM);
        E("-07:00", E_TZ_HH_MM);
        E("-07", E_TZ_HH);
        break;
    case 'Z':
        E("Z07:00", E_TZ_Z_HH_MM);
        E("Z0700", E_TZ_Z_HHMM);
        break;
    case '.':
    case ',':
        if (n > 1 && (l[1] == '0' || l[1] == '9')) {
            size_t i = 1;
            while (i < n && l[i] == l[1])
                i++;
            if (i == n || !isdigit((unsigned char)l[i])) {
                *len = i;
                *digits = l[1] == '0' ? (int)(i - 1) : -(int)(i - 1);
                return E_FRAC;
            }
        }
        break;
    default: break;
    }
#undef E
    *len = 1;
    return E_LIT;
}

static int num(const char **s, const char *end, int min, int max, int *out) {
    int v = 0, n = 0;
    while (*s < end && n < max && isdigit((unsigned char)**s)) {
        v = v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    if (n < min)
        return -1;
    *out = v;
    return 0;
}

static int name(const char **s, const char *end, const char *const *names, size_t count,
                bool shortform) {
    for (size_t i = 0; i < count; i++) {
        size_t l = shortform ? 3 : strlen(names[i]);
        if ((size_t)(end - *s) >= l && strncasecmp(*s, names[i], l) == 0) {
            *s += l;
            return (int)i;
        }
    }
    return -1;
}

static int offset(const char **s, const char *end, bool colon, bool hh_only, bool z, int *out) {
    if (z && *s < end && **s == 'Z') {
        (*s)++;
        *out = 0;
        return 0;
    }
    if (*s >= end || (**s != '+' && **s != '-'))
        return -1;
    int sign = **s == '-' ? -1 : 1;
    (*s)++;
    int h, m = 0;
    if (num(s, end, 2, 2, &h) < 0)
        return -1;
    if (!hh_only) {
        if (colon) {
            if (*s >= end || **s != ':')
                return -1;
            (*s)++;
        }
        if (num(s, end, 2, 2, &m) < 0)
            return -1;
        if (colon && *s < end && **s == ':') { /* -07:00:00 */
            int sec;
            (*s)++;
            if (num(s, end, 2, 2, &sec) < 0)
                return -1;
        }
    }
    *out = sign * (h * 3600 + m * 60);
    return 0;
}

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

/* Seconds since the epoch of tm in zone tz (NULL local). */
static int zone_time(struct tm *tm, const char *tz, int64_t *out) {
    if (tz && (!strcmp(tz, "UTC") || !strcmp(tz, "GMT") || !strcmp(tz, "Z") || !*tz)) {
        *out = (int64_t)timegm(tm);
        return 0;
    }
    if (tz && (tz[0] == '+' || tz[0] == '-')) {
        const char *s = tz;
        int off;
        bool colon = strchr(tz, ':') != NULL;
        if (offset(&s, tz + strlen(tz), colon, strlen(tz) == 3, false, &off) < 0 || *s)
            return -EINVAL;
        *out = (int64_t)timegm(tm) - off;
        return 0;
    }
    tm->tm_isdst = -1;
    if (!tz) {
        *out = (int64_t)mktime(tm);
        return 0;
    }
    /* A named zone: mktime under that TZ, serialised (TZ is process-wide). */
    pthread_mutex_lock(&tz_lock);
    char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", tz, 1);
    tzset();
    *out = (int64_t)mktime(tm);
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else
        unsetenv("TZ");
    tzset();
    pthread_mutex_unlock(&tz_lock);
    return 0;
}

/* As mtail checks a layout: it must parse itself, once underscores are
 * dropped and Z (a zone letter) is read as +. */
int lt_gotime_check(const char *layout, size_t len) {
    if (len > 256)
        return -EINVAL;
    char text[257];
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (layout[i] != '_')
            text[n++] = layout[i] == 'Z' ? '+' : layout[i];
    int64_t ns;
    return lt_gotime_parse(layout, len, text, n, "UTC", true, 0, &ns) < 0 ? -EINVAL : 0;
}

int lt_gotime_parse(const char *layout, size_t llen, const char *str, size_t slen, const char *tz,
                    bool current_year, int64_t now_ns, int64_t *ret_ns) {
    const char *s = str, *end = str + slen;
    int year = -1, mon = 1, day = 1, yday = -1, hour = 0, min = 0, sec = 0, pm = -1, off = 0;
    bool have_off = false, utc_name = false;
    int64_t frac = 0;
    for (size_t i = 0; i < llen;) {
        size_t l;
        int d, v;
        int k = next_elem(layout + i, llen - i, &l, &d);
        const char *el = layout + i;
        i += l;
        switch (k) {
        case E_LIT:
            if (el[0] == ' ') {
                /* Go lets a space in the layout also match padding of _2 style */
                if (s >= end || *s != ' ')
                    return -EINVAL;
                s++;
                break;
            }
            if ((size_t)(end - s) < l || memcmp(s, el, l) != 0)
                return -EINVAL;
            s += l;
            break;
        case E_YEAR4:
            if (num(&s, end, 4, 4, &year) < 0)
                return -EINVAL;
            break;
        case E_YEAR2:
            if (num(&s, end, 2, 2, &v) < 0)
                return -EINVAL;
            year = v >= 69 ? 1900 + v : 2000 + v;
            break;
        case E_MONTH_LONG:
        case E_MONTH_SHORT:
            if ((v = name(&s, end, months, 12, k == E_MONTH_SHORT)) < 0)
                return -EINVAL;
            mon = v + 1;
            break;
        case E_WDAY_LONG:
        case E_WDAY_SHORT:
            if (name(&s, end, wdays, 7, k == E_WDAY_SHORT) < 0)
                return -EINVAL;
            break;
        case E_MONTH_NUM:
        case E_MONTH_NUM2:
            if (num(&s, end, k == E_MONTH_NUM ? 1 : 2, 2, &mon) < 0 || mon < 1 || mon > 12)
                return -EINVAL;
            break;
        case E_DAY_SP:
            if (s < end && *s == ' ')
                s++;
            /* fall through */
        case E_DAY:
        case E_DAY2:
            if (num(&s, end, k == E_DAY2 ? 2 : 1, 2, &day) < 0 || day < 1 || day > 31)
                return -EINVAL;
            break;
        case E_YDAY:
            while (s < end && *s == ' ')
                s++;
            if (num(&s, end, 1, 3, &yday) < 0 || yday < 1 || yday > 366)
                return -EINVAL;
            break;
        case E_HOUR24:
            if (num(&s, end, 1, 2, &hour) < 0 || hour > 23)
                return -EINVAL;
            break;
        case E_HOUR12:
        case E_HOUR12_2:
            if (num(&s, end, k == E_HOUR12 ? 1 : 2, 2, &hour) < 0 || hour < 1 || hour > 12)
                return -EINVAL;
            break;
        case E_MIN:
        case E_MIN2:
            if (num(&s, end, k == E_MIN ? 1 : 2, 2, &min) < 0 || min > 59)
                return -EINVAL;
            break;
        case E_SEC:
        case E_SEC2:
            if (num(&s, end, k == E_SEC ? 1 : 2, 2, &sec) < 0 || sec > 60)
                return -EINVAL;
            /* Go accepts a fraction after seconds even when the layout has none */
            if (s + 1 < end && (*s == '.' || *s == ',') && isdigit((unsigned char)s[1]) &&
                !(i < llen && (layout[i] == '.' || layout[i] == ','))) {
                s++;
                int64_t scale = 100000000;
                while (s < end && isdigit((unsigned char)*s)) {
                    frac += (*s - '0') * scale;
                    scale /= 10;
                    s++;
                }
            }
            break;
        case E_PM_UPPER:
        case E_PM_LOWER:
            if (end - s < 2)
                return -EINVAL;
            if (!strncasecmp(s, "PM", 2))
                pm = 1;
            else if (!strncasecmp(s, "AM", 2))
                pm = 0;
            else
                return -EINVAL;
            s += 2;
            break;
        case E_TZ_NAME: {
            const char *st = s;
            while (s < end && isupper((unsigned char)*s))
                s++;
            if (s - st < 3 || s - st > 5)
                return -EINVAL;
            if ((s - st == 3 && (!memcmp(st, "UTC", 3) || !memcmp(st, "GMT", 3)))) {
                utc_name = true;
            }
            break;
        }
        case E_TZ_HHMM:
        case E_TZ_HH_MM:
        case E_TZ_HH:
        case E_TZ_Z_HHMM:
        case E_TZ_Z_HH_MM:
            if (offset(&s, end, k == E_TZ_HH_MM || k == E_TZ_Z_HH_MM, k == E_TZ_HH,
                       k == E_TZ_Z_HHMM || k == E_TZ_Z_HH_MM, &off) < 0)
                return -EINVAL;
            have_off = true;
            break;
        case E_FRAC: {
            if (s >= end || (*s != '.' && *s != ',')) {
                if (d < 0)
                    break; /* .999: optional */
                return -EINVAL;
            }
            s++;
            int64_t scale = 100000000;
            int nd = 0;
            while (s < end && isdigit((unsigned char)*s)) {
                frac += (*s - '0') * scale;
                scale /= 10;
                s++;
                nd++;
            }
            if (d > 0 && nd != d)
                return -EINVAL;
            break;
        }
        default: return -EINVAL;
        }
    }
    if (s != end)
        return -EINVAL;
    if (pm == 1 && hour < 12)
        hour += 12;
    else if (pm == 0 && hour == 12)
        hour = 0;
    if (year < 0) {
        time_t now = (time_t)(now_ns / 1000000000);
        struct tm nt;
        gmtime_r(&now, &nt);
        year = current_year ? nt.tm_year + 1900 : 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    if (yday > 0) {
        tm.tm_mon = 0;
        tm.tm_mday = yday;
    }
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    int64_t secs;
    if (have_off) {
        secs = (int64_t)timegm(&tm) - off;
    } else if (utc_name) {
        secs = (int64_t)timegm(&tm);
    } else if (zone_time(&tm, tz, &secs) < 0)
        return -EINVAL;
    if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1)
        return -ERANGE;
    *ret_ns = secs * 1000000000 + frac;
    return 0;
}
