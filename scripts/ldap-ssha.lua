-- OpenLDAP userPassword, pre-hashed as {SSHA}: base64(SHA-1(password .. salt) .. salt)
-- with a fresh random 8-byte salt on every call, so that two accounts with the
-- same password never share a hash. slapd accepts the value as is and never
-- sees the plaintext.
--
-- The result differs on every run; the cases check its shape
-- ("{SSHA}" and 6 + 40 characters of base64).

if attributeValue == nil then
  return nil
end

-- OpenLDAP stores an empty hash happily, and an empty password is almost
-- always a mistake upstream: refuse it rather than provision it.
if attributeValue:len() == 0 then
  error("refusing to hash an empty password")
end

return attributeValue:hash("ssha")
