-- A staff password chosen by an admin (the console's "Add a staff member") is replaced by its owner at enrolment,
-- before it can ever sign in: a first password given by someone else never becomes the long-term one
-- (OWASP ASVS 2.3.1). Accounts created before this are left as they are.
ALTER TABLE "accounts" ADD COLUMN "password_change_required" boolean DEFAULT false NOT NULL;