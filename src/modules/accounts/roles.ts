/** The roles an account can have (the database's column accepts exactly these). */
export { ROLES, type Role } from '../../db/schema/index.ts';
