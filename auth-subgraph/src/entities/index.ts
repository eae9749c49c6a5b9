import { RotatedRefreshTokenEntity, SessionEntity } from './session.js';
import { UserEntity } from './user.js';

/** The TypeORM entities of the auth database. */
export const authEntities = [UserEntity, SessionEntity, RotatedRefreshTokenEntity];
