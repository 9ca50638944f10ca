/* example-build.c - doc/example.c as make check builds it: compiled from here
 * so that no build product lands in doc/, which the distribution takes whole. */
#include "example.c"
