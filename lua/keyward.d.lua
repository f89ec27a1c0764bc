---@meta keyward
-- LuaLS (lua-language-server) annotations for Keyward transformation scripts.
-- Point your editor at this folder ("workspace.library": ["lua"]) to get
-- completion and type checks for attributeValue, context and handle methods.
-- This file is never run: it only describes what the sandbox provides.

---An opaque handle to a secret (a password). The plaintext never becomes a
---Lua string unless the script's configuration allows `reveal()`.
---Every method that produces a secret returns a new handle.
---`tostring(handle)` is always the constant "GuardedString".
---@class GuardedString
---@operator concat(string|number|GuardedString): GuardedString
---@operator len: integer
local GuardedString = {}

---Bytes `i` to `j` (Lua `string.sub` rules, negative indices count from the end).
---@param i integer
---@param j? integer
---@return GuardedString
function GuardedString:sub(i, j) end

---ASCII letters in upper case; other bytes unchanged.
---@return GuardedString
function GuardedString:upper() end

---ASCII letters in lower case; other bytes unchanged.
---@return GuardedString
function GuardedString:lower() end

---Every literal (not pattern) occurrence of `old` replaced by `new`.
---@param old string
---@param new string|GuardedString
---@return GuardedString
function GuardedString:replace(old, new) end

---Lua-pattern substitution, budgeted. The replacement is a plain string where
---%0-%9 name captures. Returns only the new handle (no count), so
---`return attributeValue:gsub(...)` returns exactly one value.
---@param pattern string
---@param replacement string
---@param n? integer at most this many substitutions
---@return GuardedString
function GuardedString:gsub(pattern, replacement, n) end

---The first `n` UTF-8 characters (a cut never splits a character).
---@param n integer
---@return GuardedString
function GuardedString:truncate(n) end

---@alias KeywardEncoding
---| "utf16le"         # UTF-16LE bytes
---| "quoted-utf16le"  # UTF-16LE of the value in double quotes (AD unicodePwd)
---| "base64"          # standard alphabet, padded
---| "hex"             # lower-case hex

---The value in another encoding.
---@param encoding KeywardEncoding
---@return GuardedString
function GuardedString:encode(encoding) end

---@alias KeywardHash
---| "sha1"     # raw 20-byte digest
---| "sha256"   # raw 32-byte digest
---| "sha512"   # raw 64-byte digest
---| "nt"       # raw 16-byte MD4 of the UTF-16LE value (sambaNTPassword before hex)
---| "ssha"     # "{SSHA}" .. base64(SHA1(value .. salt) .. salt), OpenLDAP userPassword
---| "ssha256"  # "{SSHA256}" .. base64(SHA256(value .. salt) .. salt)

---A digest of the value. For ssha/ssha256 the salt is 8 random bytes unless
---given (1 to 64 bytes, for reproducible tests).
---@param algorithm KeywardHash
---@param salt? string
---@return GuardedString
function GuardedString:hash(algorithm, salt) end

---Length in bytes.
---@return integer
function GuardedString:len() end

---Whether the value contains `text` literally.
---@param text string|GuardedString
---@return boolean
function GuardedString:contains(text) end

---Whether the Lua pattern matches anywhere in the value (anchors allowed).
---@param pattern string
---@return boolean
function GuardedString:matches(pattern) end

---The plaintext as a Lua string. Only for scripts whose configuration sets
---allowReveal; otherwise the checker refuses the script (KW004) and the
---sandbox fails the call with `forbidden`.
---@return string
function GuardedString:reveal() end

---The password to transform, or nil when none could be generated.
---Check it for nil before using it.
---@type GuardedString?
attributeValue = nil

---@class KeywardContext
---@field system string the target system's name
---@field attribute string the attribute being transformed, e.g. "__PASSWORD__"
---@field operation "create"|"change"|"reset"|"initialize"
---@field uid string the account's uid on the target system
---@field [string] string the account's non-secret attributes (read-only)

---Non-secret facts about the request. Read-only; `pairs(context)` works.
---@type KeywardContext
context = {}
