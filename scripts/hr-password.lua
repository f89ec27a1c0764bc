-- The HR application's login form takes at most 64 characters, and its
-- bcrypt column would silently ignore everything after 72 bytes: refuse a
-- longer password instead of provisioning one the person cannot type in.
-- Anything else goes through unchanged; the sql connector hashes it.

local limit = 64

if attributeValue == nil then
  return nil
end

if attributeValue:len() > limit then
  error("the HR application takes at most " .. limit .. " characters")
end

return attributeValue
