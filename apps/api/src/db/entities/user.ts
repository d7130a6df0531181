import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: (p) => ({
    id: p.string().primary(),
    email: p.string().unique(),
    role: p.string().$type<'admin' | 'support' | 'viewer'>(),
    passwordHash: p.string(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type User = InferEntity<typeof UserSchema>;
