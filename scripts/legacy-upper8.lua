-- A legacy mainframe account (RACF style): the password is exactly 8
-- characters, upper case, made of A-Z, 0-9 and @ # $ only.
--
-- The value is upper-cased and cut to its first 8 characters; a value that is
-- too short, or whose first 8 characters hold anything else, is refused with
-- an error rather than silently changed into a different password.

local length = 8

if attributeValue == nil then
  return nil
end

local value = attributeValue:upper():truncate(length)

if value:len() < length then
  error("the legacy system needs at least " .. length .. " characters")
end

if not value:matches("^[A-Z0-9@#$]+$") then
  error("the legacy system takes only A-Z, 0-9, @, # and $")
end

return value
