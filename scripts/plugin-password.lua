-- The example plugin (connectors/plugins/accounts.py) receives the password
-- as JSON text and stores a PBKDF2 hash of it. A control character (a tab,
-- a newline pasted by accident) cannot be typed at the application's login
-- form, so such a password is refused here, before anything is queued.
-- Anything else goes through unchanged.

if attributeValue == nil then
  return nil
end

if attributeValue:matches("%c") then
  error("the application's login form cannot take control characters")
end

return attributeValue
