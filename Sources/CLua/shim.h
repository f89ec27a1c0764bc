#ifndef CLUA_SHIM_H
#define CLUA_SHIM_H
/* The system Lua 5.4 (Debian liblua5.4-dev). Keyward's own code reaches Lua
   only through CLuaSandbox; Swift imports this for version constants. */
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#endif
