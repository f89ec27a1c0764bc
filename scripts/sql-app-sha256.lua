-- An in-house application whose SQL table stores
--   lower-hex(SHA-256(uid .. ":" .. password))
-- (the uid acts as the salt). The sql connector writes the result into the
-- password_hash column; the plaintext never reaches the database.

if attributeValue == nil then
  return nil
end

local uid = context.uid
if uid == nil or uid == "" then
  error("context.uid is needed: it salts the hash")
end

return (uid .. ":" .. attributeValue):hash("sha256"):encode("hex")
