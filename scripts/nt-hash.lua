-- Samba's sambaNTPassword: the NT hash (MD4 of the UTF-16LE password) as 32
-- upper-case hex digits, which is how the samba schema stores it.
--
--   keyward dry-run scripts/nt-hash.lua --value 'password' --reveal
--   → 8846F7EAEE8FB117AD06BDD830B7586C

-- No password could be generated: leave sambaNTPassword out of the request.
if attributeValue == nil then
  return nil
end

return attributeValue:hash("nt"):encode("hex"):upper()
