-- ServiceNow (sys_user.user_password): the password goes as it is.
--
-- When no password could be generated, attributeValue is nil: return nil, so
-- that user_password is left out of the request and ServiceNow keeps the
-- password it has, instead of receiving an empty one.

if attributeValue == nil then
  return nil
end

return attributeValue
