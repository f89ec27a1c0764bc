-- Microsoft Entra ID (passwordProfile.password): the password goes as it is,
-- but Graph refuses a password longer than 256 characters with a bare 400.
-- Refuse it here with a clear error instead. The length is counted in bytes,
-- so a long password with many non-ASCII characters is refused a little
-- before Entra itself would.

local maximum = 256

if attributeValue == nil then
  return nil
end

if attributeValue:len() > maximum then
  error("Entra ID accepts at most " .. maximum .. " characters")
end

return attributeValue
