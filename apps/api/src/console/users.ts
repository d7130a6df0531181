import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';
import { UserSchema, type User } from '../db/entities/index.js';
import { appendAudit } from '../services/audit.js';
import type { MutationContext } from '../services/context.js';
import { createUser, type UserRole } from '../services/users.js';
import type { CrossTenantReader } from './db.js';
import { toPage } from './pagination.js';

export interface UserView {
  id: string;
  email: string;
  role: UserRole;
  createdAt: string;
  updatedAt: string;
}

export function toUserView(user: User): UserView {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString(), updatedAt: user.updatedAt.toISOString() };
}

export async function listUsers(db: CrossTenantReader, query: { cursor?: string | undefined; limit: number }) {
  const rows = await db.find(UserSchema, query.cursor ? { id: { $lt: query.cursor } } : {}, { orderBy: { id: 'desc' }, limit: query.limit + 1 });
  return toPage(rows, query.limit, (u) => u.id, toUserView);
}

/** The services' createUser (validation, hashing, audit); the generated password is returned once. */
export async function addUser(em: EntityManager, input: { email: string; role: UserRole; password?: string | undefined }, ctx: MutationContext) {
  const created = await createUser(em, { email: input.email, role: input.role, ...(input.password !== undefined ? { password: input.password } : {}) }, ctx);
  const user = await em.findOneOrFail(UserSchema, { email: created.email });
  return { user: toUserView(user), password: input.password === undefined ? created.password : null };
}

export async function updateRole(em: EntityManager, userId: string, role: UserRole, ctx: MutationContext): Promise<UserView> {
  const user = await lockUser(em, userId);
  // An admin can never demote themself, so the platform always keeps at least one admin.
  if (user.id === ctx.actor.id && role !== 'admin') throw new AppError('invalid_state', 'You cannot change your own role');
  const before = { role: user.role };
  user.role = role;
  user.updatedAt = new Date();
  await em.flush();
  await appendAudit(em, ctx, { action: 'user.update_role', targetType: 'user', targetId: user.id, tenantId: null, mode: null, before, after: { role } });
  return toUserView(user);
}

/** Deletes the user; its sessions go with it (foreign key cascade). Audit entries keep its id. */
export async function removeUser(em: EntityManager, userId: string, ctx: MutationContext): Promise<{ id: string; deleted: true }> {
  const user = await lockUser(em, userId);
  if (user.id === ctx.actor.id) throw new AppError('invalid_state', 'You cannot remove yourself');
  const before = { email: user.email, role: user.role };
  await em.nativeDelete(UserSchema, { id: user.id });
  await appendAudit(em, ctx, { action: 'user.delete', targetType: 'user', targetId: user.id, tenantId: null, mode: null, before });
  return { id: user.id, deleted: true };
}

async function lockUser(em: EntityManager, userId: string): Promise<User> {
  const user = await em.findOne(UserSchema, { id: userId });
  if (!user) throw new AppError('resource_missing', `No such user: '${userId}'`, { param: 'userId' });
  return user;
}
