/* Opening a library of the app layer's own set (the server, push). */
#ifndef OMX_DLBESIDE_H
#define OMX_DLBESIDE_H

/* dlopen()s soname (RTLD_NOW | RTLD_LOCAL) from the directory libexporter-app
 * was loaded from, so the build tree and the installed libdir both work, then
 * by soname through the loader's search path. Returns the handle (the caller
 * dlclose()s it), or NULL with dlerror() set. */
void *omx__dlopen_beside(const char *soname);

#endif
