import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

/**
 * Applies the migrations not yet applied, each in its own immediate transaction, so that several
 * processes opening the same file at once apply each migration exactly once.
 */
export function migrate(db: Database.Database): void {
  for (const migration of MIGRATIONS) {
    db.transaction(() => {
      const applied = db.pragma('user_version', { simple: true }) as number;
      if (applied >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
