/* stdint.h: empty on purpose.  make preprocesses include/halfhour.h with this
 * folder as the only include path, so that the system types stay names
 * (cffi knows size_t and the intN_t types) and no system declaration
 * reaches cffi.cdef. */
