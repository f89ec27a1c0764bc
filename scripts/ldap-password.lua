-- OpenLDAP with the Password Modify operation: the server hashes the
-- password and checks it against its own policy (ppolicy), so the value
-- goes as it is. A password that starts with a scheme tag such as {SSHA}
-- would be taken by some servers as an already-hashed value, and the person
-- could never log in with it: refuse it.

if attributeValue == nil then
  return nil
end

if attributeValue:matches("^{[%a%d-]+}") then
  error("a password must not start with a {SCHEME} tag")
end

return attributeValue
