-- Active Directory (unicodePwd) for the HR forest: every password starts with
-- the site prefix "Kw!", which guarantees AD's complexity rule (a symbol and
-- both cases) even for a generated value made only of letters and digits.
--
-- The ad connector does the quoting and UTF-16LE encoding that unicodePwd
-- needs: this script only shapes the password itself.

local prefix = "Kw!"

if attributeValue == nil then
  return nil
end

-- AD refuses a password that contains the account name (sAMAccountName, when
-- it has 3 characters or more), whatever the case: fail early with a clear
-- error instead of a constraint violation from the domain controller.
local uid = context.uid
if uid ~= nil and #uid >= 3 and attributeValue:lower():contains(string.lower(uid)) then
  error("the password contains the account name, which Active Directory refuses")
end

-- Already prefixed (a user who typed it): keep it as it is.
if attributeValue:matches("^Kw!") then
  return attributeValue
end

return prefix .. attributeValue
