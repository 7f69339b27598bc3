import type { Incident, TimelineEntry } from "../domain/incident.js";
import {
  OWN_PAGERDUTY_NOTE,
  type Delivery,
  type DueQuery,
  type Effect,
  type EffectOutcome,
  type LocalChannel,
  type LocalMessage,
  type NewEffect,
  type Page,
  type Store,
} from "../ports/store.js";
import type { SqlDatabase, SqlStatement, StatementResult } from "./sql-database.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { URGENT_PRIORITIES } from "../domain/urgency.js";
import { laneOf } from "../effects/lanes.js";

interface DeliveryRow {
  id: string;
  source: Delivery["source"];
  webhook_id: string | null;
  received_at: string;
  body: string;
  request: string | null;
  processed_at: string | null;
  urgency?: number;
  subject?: string | null;
  /** The record of the incident `subject` names, where the query read it. */
  subject_record?: string | null;
  note?: string | null;
  /** Whether `note` is among Herald's own (1 or 0), where the query read it. */
  own_note?: number | null;
}

interface EffectRow {
  key: string;
  seq: number;
  incident_id: string;
  payload: string;
  status: Effect["status"];
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  result: string | null;
  created_at: string;
  updated_at: string;
  urgency?: number;
  lane?: string | null;
  /** The due page's only: a `retire_review`'s review post's result, when that post was made. */
  review_result?: string | null;
}

interface TimelineRow {
  id: string;
  incident_id: string;
  at: string;
  author_id: string | null;
  author_name: string | null;
  source: TimelineEntry["source"];
  category: TimelineEntry["category"];
  kind: string;
  text: string;
}

interface LocalMessageRow {
  id: string;
  channel_id: string;
  channel_name: string;
  idempotency_key: string | null;
  text: string;
  posted_at: string;
  buttons: string | null;
  thread_id: string | null;
  visible_to: string | null;
  file: string | null;
}

/** A Store over any SqlDatabase; the SQLite and D1 stores are this with their own database. */
export function createSqlStore(db: SqlDatabase): Store {
  return {
    async recordDelivery(delivery) {
      const changes = await db.run(
        `INSERT OR IGNORE INTO deliveries (id, source, webhook_id, received_at, body, request, urgency, subject, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [delivery.id, delivery.source, delivery.webhookId, delivery.receivedAt, delivery.body, delivery.request ? JSON.stringify(delivery.request) : null, delivery.urgency ?? 2, delivery.subject ?? null, delivery.note ?? null],
      );
      return changes > 0;
    },

    async pendingDeliveries(limit) {
      const { sql, params } = pendingDeliveries(limit);
      return toDeliveries(await db.all<DeliveryRow>(sql, params));
    },

    async commitProcessed(result, due) {
      const statements: SqlStatement[] = [
        ...result.incidents.flatMap((incident) => writeIncident(incident, { raising: !result.aheadAlready?.includes(incident.id) })),
        ...insertEntries(result.entries),
        ...insertEffects(result.effects, result.processedAt),
        {
          sql: `UPDATE deliveries SET processed_at = ?, error = ? WHERE id = ?`,
          params: [result.processedAt, result.error ?? null, result.deliveryId],
        },
      ];
      if (!due) {
        await db.batch(statements);
        return null;
      }
      const reads = dueReads(due, statements.length);
      const results = await db.batchRows([...statements, ...reads]);
      return dueFrom(results.slice(statements.length));
    },

    async failedDeliveries({ limit, cursor }) {
      const before = cursor ? decodeCursor(cursor, ["string", "number"] as const) : null;
      const rows = await db.all<{ id: string; source: string; received_at: string; processed_at: string; error: string; row: number }>(
        `SELECT id, source, received_at, processed_at, error, rowid AS row FROM deliveries WHERE error IS NOT NULL
         ${before ? "AND (processed_at < ? OR (processed_at = ? AND rowid < ?))" : ""} ORDER BY processed_at DESC, rowid DESC LIMIT ?`,
        [...(before ? [before[0], before[0], before[1]] : []), limit + 1],
      );
      return pageOf(rows, limit, (r) => [r.processed_at, r.row], (r) => ({ id: r.id, source: r.source, receivedAt: r.received_at, processedAt: r.processed_at, error: r.error }));
    },

    async prune(before, at, limit) {
      const changes = await db.batch([
        ...rewritten("deliveries", "rowid", "pruning_deliveries", "row", "id, source, webhook_id, received_at, processed_at, error, urgency", {
          chosen: `SELECT rowid FROM deliveries WHERE processed_at IS NOT NULL AND pruned_at IS NULL AND processed_at < ? LIMIT ?`,
          dropped: `body, request, pruned_at`,
          as: `'', NULL, ?`,
          params: [before, limit, at],
        }),
        // The kind stays, so the outbox still says what was done.
        ...rewritten("effects", "seq", "pruning_effects", "seq", "key, incident_id, kind, status, attempts, next_attempt_at, last_error, created_at, updated_at, urgency, lane", {
          chosen: `SELECT seq FROM effects WHERE status IN ('done', 'skipped') AND pruned_at IS NULL AND updated_at < ? LIMIT ?`,
          dropped: `payload, result, pruned_at`,
          as: `json_object('kind', kind), NULL, ?`,
          params: [before, limit, at],
        }),
      ]);
      return { deliveries: changes[1] ?? 0, effects: changes[5] ?? 0 };
    },

    async getIncident(id) {
      const row = await db.first<{ record: string }>(
        `SELECT record FROM incidents WHERE id = ? OR pagerduty_id = ? LIMIT 1`,
        [id, id],
      );
      return row ? toIncident(row.record) : null;
    },

    async nextIncidentNumber() {
      const row = await db.first<{ value: number }>(
        `INSERT INTO sequences (name, value) VALUES ('incident', 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
      );
      if (!row) throw new Error("the incident number sequence gave nothing");
      return Number(row.value);
    },

    async findIncidentByChannel(channelId) {
      const row = await db.first<{ record: string }>(`SELECT record FROM incidents WHERE channel_id = ? LIMIT 1`, [channelId]);
      return row ? toIncident(row.record) : null;
    },

    async openIncidents(limit) {
      const rows = await db.all<{ record: string }>(`SELECT record FROM incidents WHERE status != 'resolved' ORDER BY triggered_at, id LIMIT ?`, [limit]);
      return rows.map((row) => toIncident(row.record));
    },

    async saveIncidents(incidents, effects, at) {
      await db.batch([...incidents.flatMap((incident) => writeIncident(incident)), ...insertEffects(effects, at)]);
    },

    async listIncidents() {
      const rows = await db.all<{ record: string }>(`SELECT record FROM incidents ORDER BY triggered_at DESC, id DESC`);
      return rows.map((row) => toIncident(row.record));
    },

    async pageIncidents({ limit, cursor, status, resolvedSince, priorities }) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (priorities) {
        where.push(`priority IN (${priorities.map(() => "?").join(", ")})`);
        params.push(...priorities);
      }
      if (status === "resolved") where.push(`status = 'resolved'`);
      if (status === "open" && resolvedSince) {
        where.push(`(status != 'resolved' OR updated_at >= ?)`);
        params.push(resolvedSince);
      } else if (status === "open") where.push(`status != 'resolved'`);
      if (cursor) {
        const [triggeredAt, id] = decodeCursor(cursor, ["string", "string"] as const);
        where.push(`(triggered_at < ? OR (triggered_at = ? AND id < ?))`);
        params.push(triggeredAt, triggeredAt, id);
      }
      const rows = await db.all<{ record: string; id: string; triggered_at: string }>(
        `SELECT record, id, triggered_at FROM incidents ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY triggered_at DESC, id DESC LIMIT ?`,
        [...params, limit + 1],
      );
      return pageOf(rows, limit, (row) => [row.triggered_at, row.id], (row) => toIncident(row.record));
    },

    async timeline(incidentId) {
      const rows = await db.all<TimelineRow>(
        `SELECT * FROM timeline_entries WHERE incident_id = ? ORDER BY at, seq`,
        [incidentId],
      );
      return rows.map(toEntry);
    },

    async timelinePage(incidentId, { limit, cursor }) {
      const after = cursor ? decodeCursor(cursor, ["string", "number"] as const) : null;
      const rows = await db.all<TimelineRow & { seq: number }>(
        after
          ? `SELECT * FROM timeline_entries WHERE incident_id = ? AND (at > ? OR (at = ? AND seq > ?)) ORDER BY at, seq LIMIT ?`
          : `SELECT * FROM timeline_entries WHERE incident_id = ? ORDER BY at, seq LIMIT ?`,
        after ? [incidentId, after[0], after[0], after[1], limit + 1] : [incidentId, limit + 1],
      );
      return pageOf(rows, limit, (row) => [row.at, row.seq], toEntry);
    },

    async openEffects(limit) {
      const rows = await db.all<EffectRow>(
        `SELECT * FROM effects WHERE status IN ('pending', 'in_flight') ORDER BY urgency, seq LIMIT ?`,
        [limit],
      );
      return rows.map(toEffect);
    },

    async dueEffects(limit, now) {
      const { sql, params } = dueEffects({ limit, now });
      return (await db.all<EffectRow>(sql, params)).map((row) => dueEffect(row));
    },

    async failedEffects({ limit, cursor }) {
      const before = cursor ? decodeCursor(cursor, ["string", "number"] as const) : null;
      const rows = await db.all<EffectRow>(
        `SELECT * FROM effects WHERE status = 'failed' ${before ? "AND (updated_at < ? OR (updated_at = ? AND seq < ?))" : ""}
         ORDER BY updated_at DESC, seq DESC LIMIT ?`,
        [...(before ? [before[0], before[0], before[1]] : []), limit + 1],
      );
      return pageOf(rows, limit, (row) => [row.updated_at, row.seq], toEffect);
    },

    async requeueFailedEffects(at, skippedFor) {
      // The effects skipped for want of what failed first go again too, after it in their lane.
      const changes = await db.batch([
        {
          sql: `UPDATE effects SET status = 'pending', attempts = MIN(attempts, 1), last_error = NULL, next_attempt_at = ?, updated_at = ?
                WHERE ${skippedRow("effects")} AND EXISTS (SELECT 1 FROM effects AS f WHERE ${afterFailed("effects", "f")})`,
          params: [at, at, skippedFor.reason, skippedFor.kind],
        },
        {
          sql: `UPDATE effects SET status = 'pending', attempts = MIN(attempts, 1), last_error = NULL, next_attempt_at = ?, updated_at = ? WHERE status = 'failed'`,
          params: [at, at],
        },
      ]);
      return { failed: changes[1] ?? 0, alongWith: changes[0] ?? 0 };
    },

    async skippedAfter(key, skippedFor) {
      const rows = await db.all<{ key: string }>(
        `SELECT s.key FROM effects AS f JOIN effects AS s ON ${afterFailed("s", "f")} WHERE f.key = ? AND ${skippedRow("s")} ORDER BY s.seq`,
        [skippedFor.kind, key, skippedFor.reason],
      );
      return rows.map((row) => row.key);
    },

    async requeueEffects(keys, at) {
      if (keys.length === 0) return 0;
      return db.run(
        `UPDATE effects SET status = 'pending', attempts = MIN(attempts, 1), last_error = NULL, next_attempt_at = ?, updated_at = ?
         WHERE key IN (${keys.map(() => "?").join(", ")}) AND status IN ('failed', 'skipped') AND pruned_at IS NULL`,
        [at, at, ...keys],
      );
    },

    async effectsFor(incidentId) {
      const rows = await db.all<EffectRow>(`SELECT * FROM effects WHERE incident_id = ? ORDER BY seq`, [incidentId]);
      return rows.map(toEffect);
    },

    async getEffect(key) {
      const row = await db.first<EffectRow>(`SELECT * FROM effects WHERE key = ?`, [key]);
      return row ? toEffect(row) : null;
    },

    async startEffect(key, at) {
      const { sql, params } = startEffect(key, at);
      await db.run(sql, params);
    },

    async startEffects(keys, at) {
      if (keys.length === 0) return;
      const { sql, params } = startEffects(keys, at);
      await db.run(sql, params);
    },

    async finishEffect(key, outcome: EffectOutcome, at, record, startNext) {
      const statements = [
        ...(record ? [...writeIncident(record.incident), ...insertEntries(record.entries)] : []),
        finishEffect(key, outcome, at),
        ...insertEffects(outcome.then ?? [], at),
      ];
      const next = startNext?.(statements.length);
      await db.batch(next ? [...statements, startEffect(next, at)] : statements);
    },

    async finishEffectLater(key, outcome, at) {
      await db.later([finishEffect(key, outcome, at)]);
    },

    async rememberExternal(kind, ref, at) {
      await db.run(`INSERT OR IGNORE INTO external_refs (kind, ref, created_at) VALUES (?, ?, ?)`, [kind, ref, at]);
    },

    async isKnownExternal(kind, ref) {
      return (await db.first(`SELECT 1 AS known FROM external_refs WHERE kind = ? AND ref = ?`, [kind, ref])) !== null;
    },

    async acquireLease(name, holder, now, until) {
      const { sql, params } = acquireLease(name, holder, now, until);
      return (await db.run(sql, params)) > 0;
    },

    async acquireLeaseWithPending(name, holder, now, until, limit) {
      // The read goes whether or not the lease is taken: the round trip is the cost, not the read.
      const [lease, pending] = await db.batchRows([acquireLease(name, holder, now, until), pendingDeliveries(limit)]);
      return lease!.changes > 0 ? toDeliveries(pending!.rows as DeliveryRow[]) : null;
    },

    async pendingAndDue(limit, due, release) {
      // A run's last look gives the lease up only when nothing is due, which started effects are.
      const reads = dueReads(due, 1);
      const [pending, ...rest] = await db.batchRows([
        pendingDeliveries(limit),
        ...reads,
        ...(release ? [releaseIfIdle(release.name, release.holder, due.now)] : []),
      ]);
      return {
        pending: toDeliveries(pending!.rows as DeliveryRow[]),
        due: dueFrom(rest.slice(0, reads.length)),
        released: (rest[reads.length]?.changes ?? 0) > 0,
      };
    },

    async releaseLease(name, holder) {
      await db.run(`DELETE FROM leases WHERE name = ? AND holder = ?`, [name, holder]);
    },

    async releaseLeasesOf(prefix) {
      await db.run(`DELETE FROM leases WHERE substr(holder, 1, ?) = ?`, [prefix.length + 1, `${prefix}/`]);
    },

    async createLocalChannel({ id, name }, at) {
      const changes = await db.run(`INSERT OR IGNORE INTO local_channels (id, name, created_at) VALUES (?, ?, ?)`, [
        id,
        name,
        at,
      ]);
      return changes > 0 ? { id, name } : "name_taken";
    },

    async findLocalChannel(idOrName) {
      const row = await db.first<ChannelRow>(`SELECT id, name, topic FROM local_channels WHERE id = ? OR name = ?`, [idOrName, idOrName]);
      return row ? toLocalChannel(row) : null;
    },

    async localChannels() {
      return (await db.all<ChannelRow>(`SELECT id, name, topic FROM local_channels ORDER BY name`)).map(toLocalChannel);
    },

    async setLocalTopic(channelId, topic) {
      await db.run(`UPDATE local_channels SET topic = ? WHERE id = ?`, [topic, channelId]);
    },

    async roomMessages(channelId, viewer, limit) {
      const rows = await db.all<LocalMessageRow>(
        `SELECT * FROM (SELECT * FROM local_messages WHERE channel_id = ? AND (visible_to IS NULL OR visible_to = ?) ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
        [channelId, viewer ?? "", limit],
      );
      return rows.map(toLocalMessage);
    },

    async findLocalMessage(key) {
      const row = await db.first<LocalMessageRow>(`SELECT * FROM local_messages WHERE idempotency_key = ?`, [key]);
      return row ? toLocalMessage(row) : null;
    },

    async saveLocalMessage(message: LocalMessage) {
      await db.run(
        `INSERT OR IGNORE INTO local_messages (id, channel_id, channel_name, idempotency_key, text, posted_at, buttons, thread_id, visible_to, file)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          message.id,
          message.channelId,
          message.channelName,
          message.idempotencyKey,
          message.text,
          message.postedAt,
          message.buttons?.length ? JSON.stringify(message.buttons) : null,
          message.threadId ?? null,
          message.visibleTo ?? null,
          message.file ? JSON.stringify(message.file) : null,
        ],
      );
    },

    async updateLocalMessage(id, text) {
      const row = await db.first<LocalMessageRow>(`SELECT * FROM local_messages WHERE id = ?`, [id]);
      if (!row) return null;
      await db.run(`UPDATE local_messages SET text = ?, buttons = NULL WHERE id = ?`, [text, id]);
      return row.channel_name;
    },

    async localMessagesFor(channelId, keys) {
      // Keys are checked in chunks: SQLite and D1 cap the number of bound parameters.
      const found = new Map<string, LocalMessageRow & { seq: number }>();
      const chunks = keys.length === 0 ? [[]] : Array.from({ length: Math.ceil(keys.length / 50) }, (_, i) => keys.slice(i * 50, i * 50 + 50));
      for (const chunk of chunks) {
        const rows = await db.all<LocalMessageRow & { seq: number }>(
          `SELECT * FROM local_messages WHERE channel_id = ? OR idempotency_key IN (${chunk.map(() => "?").join(", ")})`,
          [channelId, ...chunk],
        );
        rows.forEach((row) => found.set(row.id, row));
      }
      return [...found.values()].sort((a, b) => a.seq - b.seq).map(toLocalMessage);
    },

    async getPlatformState(platform, key) {
      const row = await db.first<{ value: string }>(`SELECT value FROM platform_state WHERE platform = ? AND key = ?`, [platform, key]);
      return row ? (JSON.parse(row.value) as unknown) : null;
    },

    async putPlatformState(platform, key, value, at) {
      await db.run(
        `INSERT INTO platform_state (platform, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (platform, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [platform, key, JSON.stringify(value), at],
      );
    },

    async ping() {
      // One row at most: counting them all would read the whole table (on D1, billed) at every health check.
      await db.first(`SELECT 1 AS ok FROM deliveries LIMIT 1`);
    },

    async backlog(most, now) {
      // The next `most` in line of each queue, read through the queues' own indexes: a flood of
      // hundreds of thousands costs no more to look at than a thousand. One statement, reading
      // each queue once: the counts come on every row, with one of the errors (or none) beside them.
      const rows = await db.all<{
        deliveries: number;
        oldest_delivery: string | null;
        effects: number;
        retrying: number;
        due_since: string | null;
        error: string | null;
        count: number | null;
        last_at: string | null;
      }>(
        `WITH d AS (SELECT received_at FROM deliveries WHERE processed_at IS NULL ORDER BY urgency, received_at LIMIT ?),
              e AS MATERIALIZED (SELECT last_error, next_attempt_at, updated_at FROM effects WHERE status IN ('pending', 'in_flight') ORDER BY urgency, seq LIMIT ?),
              counts AS (SELECT (SELECT COUNT(*) FROM d) AS deliveries, (SELECT MIN(received_at) FROM d) AS oldest_delivery,
                                (SELECT COUNT(*) FROM e) AS effects, (SELECT COUNT(*) FROM e WHERE last_error IS NOT NULL) AS retrying,
                                (SELECT MIN(next_attempt_at) FROM e WHERE next_attempt_at <= ?) AS due_since),
              errors AS (SELECT last_error AS error, COUNT(*) AS count, MAX(updated_at) AS last_at FROM e WHERE last_error IS NOT NULL GROUP BY last_error)
         SELECT counts.*, errors.error, errors.count, errors.last_at FROM counts LEFT JOIN errors ON 1
         ORDER BY errors.count DESC, errors.last_at DESC, errors.error`,
        [most, most, now],
      );
      const counts = rows[0];
      return {
        most,
        deliveries: { waiting: counts?.deliveries ?? 0, oldestReceivedAt: counts?.oldest_delivery ?? null },
        effects: {
          waiting: counts?.effects ?? 0,
          retrying: counts?.retrying ?? 0,
          dueSince: counts?.due_since ?? null,
          errors: rows.flatMap((r) => (r.error !== null && r.count !== null && r.last_at !== null ? [{ error: r.error, count: r.count, lastAt: r.last_at }] : [])),
        },
      };
    },
  };
}

/**
 * What goes again with a failed effect when it is tried again, said once for one and for all: the
 * effects of its incident skipped after it for the reason its failing gives (the posts, topic and
 * invitations skipped for want of the room that failed), still with their payload. `skippedRow`
 * takes the reason as its parameter, `afterFailed` the failed one's kind.
 */
const skippedRow = (skipped: string) => `${skipped}.status = 'skipped' AND ${skipped}.last_error = ? AND ${skipped}.pruned_at IS NULL`;
const afterFailed = (skipped: string, failed: string) =>
  `${failed}.status = 'failed' AND ${failed}.kind = ? AND ${failed}.incident_id = ${skipped}.incident_id AND ${failed}.seq < ${skipped}.seq`;

/** A page of `limit` rows from a query asked for one more: the extra one says a next page exists. */
function pageOf<R, T>(rows: R[], limit: number, sortKey: (row: R) => (string | number)[], item: (row: R) => T): Page<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(item), next: rows.length > limit && last ? encodeCursor(sortKey(last)) : null };
}

function upsertIncident(incident: Incident): SqlStatement {
  return {
    sql: `INSERT INTO incidents (id, pagerduty_id, record, status, triggered_at, updated_at, channel_id, priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET pagerduty_id = excluded.pagerduty_id, record = excluded.record,
            status = excluded.status, triggered_at = excluded.triggered_at, updated_at = excluded.updated_at,
            channel_id = excluded.channel_id, priority = excluded.priority`,
    params: [
      incident.id,
      incident.pagerdutyId,
      JSON.stringify(incident),
      incident.status,
      incident.triggeredAt,
      incident.updatedAt,
      incident.channel?.id ?? null,
      incident.priority,
    ],
  };
}

const URGENT_LIST = URGENT_PRIORITIES.map((p) => `'${p}'`).join(", ");

/**
 * Retention's four statements for one table: the `chosen` rows are deleted and inserted again with
 * `dropped` set `as` given, so the space they free goes back to SQLite (an UPDATE would leave their
 * pages as large as before). `kept` are the columns copied through `scratch` (migration 0011): a
 * column added to the table must be added to both, or a pruned row goes back to its default. The
 * batch is one transaction, so the scratch table is empty whenever it starts. The second
 * statement's count is the rows pruned. `params`: the two of `chosen`, then those of `as`.
 */
function rewritten(
  table: string,
  key: string,
  scratch: string,
  scratchKey: string,
  kept: string,
  rows: { chosen: string; dropped: string; as: string; params: unknown[] },
): SqlStatement[] {
  return [
    { sql: `INSERT INTO ${scratch} (${scratchKey}, ${kept}) SELECT ${key}, ${kept} FROM ${table} WHERE ${key} IN (${rows.chosen})`, params: rows.params.slice(0, 2) },
    { sql: `DELETE FROM ${table} WHERE ${key} IN (SELECT ${scratchKey} FROM ${scratch})`, params: [] },
    { sql: `INSERT INTO ${table} (${key}, ${kept}, ${rows.dropped}) SELECT ${scratchKey}, ${kept}, ${rows.as} FROM ${scratch}`, params: rows.params.slice(2) },
    { sql: `DELETE FROM ${scratch}`, params: [] },
  ];
}

/**
 * The incident's row; with `raising`, its queued effects moved ahead of other incidents' work if it
 * is P1/P2 now. Only a delivery changes an incident's priority: an effect's outcome or a timer
 * writes the priority it read, and its incident's effects were queued at that urgency (or raised
 * when it changed).
 */
function writeIncident(incident: Incident, { raising = false } = {}): SqlStatement[] {
  if (!raising || !URGENT_PRIORITIES.includes(incident.priority ?? "")) return [upsertIncident(incident)];
  return [
    upsertIncident(incident),
    { sql: `UPDATE effects SET urgency = 0 WHERE incident_id = ? AND urgency != 0 AND status IN ('pending', 'in_flight')`, params: [incident.id] },
  ];
}

/**
 * Rows inserted a statement at a time, as many as fit D1's 100 bound parameters: on D1 each
 * statement counts against the queries an invocation may make (50 on the free plan).
 */
const MAX_PARAMS = 100;

function insertRows(head: string, row: string, rows: unknown[][]): SqlStatement[] {
  const width = rows[0]?.length ?? 1;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / width));
  const statements: SqlStatement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    statements.push({ sql: `${head} VALUES ${chunk.map(() => row).join(", ")}`, params: chunk.flat() });
  }
  return statements;
}

function insertEffects(effects: NewEffect[], at: string): SqlStatement[] {
  // Urgent when its incident is P1/P2 as written in the same transaction (the incident comes first).
  return insertRows(
    `INSERT OR IGNORE INTO effects (key, incident_id, kind, payload, status, attempts, next_attempt_at, created_at, updated_at, lane, urgency)`,
    `(?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, COALESCE((SELECT CASE WHEN json_extract(record, '$.priority') IN (${URGENT_LIST}) THEN 0 ELSE 1 END FROM incidents WHERE id = ?), 1))`,
    effects.map((effect) => [effect.key, effect.incidentId, effect.payload.kind, JSON.stringify(effect.payload), at, at, at, laneOf(effect), effect.incidentId]),
  );
}

/**
 * The next page of unprocessed deliveries, most urgent first, then in the order they arrived; each
 * with the record of the incident its subject names (by either id), if there is one, and whether
 * the note it adds is one Herald added itself.
 */
function pendingDeliveries(limit: number): SqlStatement {
  return {
    sql: `SELECT d.*, (SELECT i.record FROM incidents AS i WHERE i.pagerduty_id = d.subject OR i.id = d.subject LIMIT 1) AS subject_record,
           CASE WHEN d.note IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM external_refs AS r WHERE r.kind = '${OWN_PAGERDUTY_NOTE}' AND r.ref = d.note) END AS own_note
         FROM deliveries AS d WHERE d.processed_at IS NULL ORDER BY d.urgency, d.received_at, d.rowid LIMIT ?`,
    params: [limit],
  };
}

/**
 * An effect due at the first `?`: pending and due, or in flight, and not behind one of its lane that
 * waits to be tried again (at the second `?`).
 */
const DUE = `e.status IN ('pending', 'in_flight') AND (e.status = 'in_flight' OR e.next_attempt_at <= ?)
  AND NOT EXISTS (SELECT 1 FROM effects AS w WHERE w.lane = e.lane AND w.status = 'pending' AND w.next_attempt_at > ? AND w.seq < e.seq)`;

/**
 * The due page, then the waiting effects of its lanes (effects queued before lanes were stored have
 * their incident as their lane, so the incidents are asked for too): one query. A `retire_review`
 * on the page comes with its review post's result, when that post was made.
 */
function dueEffects({ limit, now }: DueQuery): SqlStatement {
  return {
    sql: `WITH due AS (SELECT e.*, CASE WHEN e.kind = 'retire_review' THEN
             (SELECT r.result FROM effects AS r WHERE r.key = json_extract(e.payload, '$.review') AND r.status = 'done') END AS review_result
           FROM effects AS e WHERE ${DUE} ORDER BY urgency, seq LIMIT ?)
         SELECT *, 0 AS part FROM due
         UNION ALL
         SELECT *, NULL AS review_result, 1 AS part FROM effects WHERE status = 'pending' AND next_attempt_at > ?
           AND lane IN (SELECT lane FROM due WHERE lane IS NOT NULL UNION SELECT incident_id FROM due)
         ORDER BY part, urgency, seq`,
    params: [now, now, limit, now],
  };
}

/**
 * The due page, and when `due.startLanes` asks for it, the first effect of the page's first lanes
 * marked started after it (the same page: nothing changes between two statements of a
 * transaction), saying which. `before`: the statements the write makes before these.
 */
function dueReads(due: DueQuery, before: number): SqlStatement[] {
  const read = dueEffects(due);
  const lanes = due.startLanes?.(before + 2) ?? 0;
  if (lanes <= 0) return [read];
  return [
    read,
    {
      // Each lane's first by the page's order, the lanes in the order their first comes; effects
      // queued before lanes were stored wait behind any of their incident's, as in dueEffects. Not
      // while deliveries wait: the run takes them first, and reads the page again after them.
      sql: `${MARK_STARTED}
           WHERE key IN (SELECT key FROM (
             SELECT key, urgency, seq, ROW_NUMBER() OVER (PARTITION BY COALESCE(lane, incident_id) ORDER BY urgency, seq) AS nth
             FROM (SELECT key, lane, incident_id, urgency, seq FROM effects AS e WHERE ${DUE} ORDER BY urgency, seq LIMIT ?)
           ) WHERE nth = 1 ORDER BY urgency, seq LIMIT ?)
           AND NOT EXISTS (SELECT 1 FROM deliveries WHERE processed_at IS NULL)
           RETURNING key`,
      params: [due.now, due.now, due.now, due.limit, lanes],
    },
  ];
}

/** The effects `dueReads` gave: those it marked started told, and a retire's review post given. */
function dueFrom([read, started]: StatementResult[]): Effect[] {
  const keys = new Set((started?.rows as { key: string }[] | undefined)?.map((row) => row.key));
  return (read!.rows as EffectRow[]).map((row) => dueEffect(row, keys.has(row.key)));
}

/** An effect of the due page (`dueEffects`): a retire's review post given, and whether the read marked it started. */
function dueEffect(row: EffectRow, startedWithRead = false): Effect {
  const effect = toEffect(row);
  if (startedWithRead) effect.startedWithRead = true;
  if (row.review_result != null) effect.reviewPost = JSON.parse(row.review_result);
  return effect;
}

/** Gives the lease up unless a delivery is pending or an effect due at `now`: as `pendingDeliveries` and `dueEffects` would find them. */
function releaseIfIdle(name: string, holder: string, now: string): SqlStatement {
  return {
    sql: `DELETE FROM leases WHERE name = ? AND holder = ?
         AND NOT EXISTS (SELECT 1 FROM deliveries WHERE processed_at IS NULL)
         AND NOT EXISTS (SELECT 1 FROM effects AS e WHERE ${DUE})`,
    params: [name, holder, now, now],
  };
}

/** One statement: taken when free, renewed by its holder, taken over once expired. */
function acquireLease(name: string, holder: string, now: string, until: string): SqlStatement {
  return {
    sql: `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at < ?`,
    params: [name, holder, until, now],
  };
}

function startEffect(key: string, at: string): SqlStatement {
  return startEffects([key], at);
}

/** An attempt's outcome on the effect: its status, what it gave, when it goes again if it does. */
function finishEffect(key: string, outcome: EffectOutcome, at: string): SqlStatement {
  return {
    sql: `UPDATE effects SET status = ?, result = COALESCE(?, result), last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), updated_at = ? WHERE key = ?`,
    params: [outcome.status, outcome.result === undefined ? null : JSON.stringify(outcome.result), outcome.error ?? null, outcome.nextAttemptAt ?? null, at, key],
  };
}

/** Marks effects as being attempted and counts the attempt (its first `?`: when), for the effects its WHERE names. */
const MARK_STARTED = `UPDATE effects SET status = 'in_flight', attempts = attempts + 1, updated_at = ?`;

/** `MARK_STARTED` for the effects `keys` names, in one statement. */
function startEffects(keys: string[], at: string): SqlStatement {
  return { sql: `${MARK_STARTED} WHERE key IN (${keys.map(() => "?").join(", ")})`, params: [at, ...keys] };
}

function toIncident(record: string): Incident {
  // Records written before roles existed have none.
  const incident = JSON.parse(record) as Omit<Incident, "roles"> & { roles?: Incident["roles"] };
  return { ...incident, roles: incident.roles ?? {} };
}

function insertEntries(entries: TimelineEntry[]): SqlStatement[] {
  return insertRows(
    `INSERT OR IGNORE INTO timeline_entries (id, incident_id, at, author_id, author_name, source, category, kind, text)`,
    `(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    entries.map((entry) => [entry.id, entry.incidentId, entry.at, entry.author?.id ?? null, entry.author?.name ?? null, entry.source, entry.category, entry.kind, entry.text]),
  );
}

/** A page of pending deliveries; one incident's record, read for several of them (a flood about one incident), parsed once. */
function toDeliveries(rows: DeliveryRow[]): Delivery[] {
  const parsed = new Map<string, Incident>();
  const incidentOf = (record: string) => parsed.get(record) ?? parsed.set(record, toIncident(record)).get(record)!;
  return rows.map((row) => {
    const delivery = toDelivery(row);
    if (row.note && (row.own_note === 0 || row.own_note === 1)) delivery.ownNote = row.own_note === 1;
    if (!row.subject || row.subject_record === undefined) return delivery;
    return { ...delivery, subjectIncident: row.subject_record === null ? null : incidentOf(row.subject_record) };
  });
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    source: row.source,
    webhookId: row.webhook_id,
    receivedAt: row.received_at,
    body: row.body,
    request: row.request ? (JSON.parse(row.request) as Delivery["request"]) : null,
    processedAt: row.processed_at,
    urgency: (row.urgency ?? 2) as Delivery["urgency"],
    ...(row.subject ? { subject: row.subject } : {}),
    ...(row.note ? { note: row.note } : {}),
  };
}

function toEntry(row: TimelineRow): TimelineEntry {
  return {
    id: row.id,
    incidentId: row.incident_id,
    at: row.at,
    author: row.author_id ? { id: row.author_id, name: row.author_name ?? row.author_id } : null,
    source: row.source,
    category: row.category,
    kind: row.kind,
    text: row.text,
  };
}

function toEffect(row: EffectRow): Effect {
  return {
    key: row.key,
    seq: row.seq,
    incidentId: row.incident_id,
    payload: JSON.parse(row.payload),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    result: row.result === null ? null : JSON.parse(row.result),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    urgency: row.urgency ?? 1,
  };
}

function toLocalMessage(row: LocalMessageRow): LocalMessage {
  return {
    id: row.id,
    channelId: row.channel_id,
    channelName: row.channel_name,
    idempotencyKey: row.idempotency_key,
    text: row.text,
    postedAt: row.posted_at,
    ...(row.buttons ? { buttons: JSON.parse(row.buttons) as LocalMessage["buttons"] } : {}),
    ...(row.thread_id ? { threadId: row.thread_id } : {}),
    ...(row.visible_to ? { visibleTo: row.visible_to } : {}),
    ...(row.file ? { file: JSON.parse(row.file) as LocalMessage["file"] } : {}),
  };
}

interface ChannelRow {
  id: string;
  name: string;
  topic: string | null;
}

function toLocalChannel(row: ChannelRow): LocalChannel {
  return { id: row.id, name: row.name, ...(row.topic ? { topic: row.topic } : {}) };
}
