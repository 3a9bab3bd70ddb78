/*
 * banned.h: functions lst does not use, made into compile errors.
 *
 * Included last by lst.h, after the system headers, as git does. Use
 * snprintf/strbuf-style bounded writes, memcpy with checked lengths, and
 * posix_spawn/execvp with an argv instead of a shell.
 */
#ifndef LST_BANNED_H
#define LST_BANNED_H

#define BANNED(f) sorry_##f##_is_banned_in_lst

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)
#undef atoi
#define atoi(x) BANNED(atoi)

#endif
