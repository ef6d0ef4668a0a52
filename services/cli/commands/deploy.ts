import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

import { readCompactedTopic } from '../../engine/catalog';
import { formatDefinitionError, readDefinitionFolder, validateDefinitions } from '../../engine/definitions';
import { topicNames } from '../../engine/ingest';
import type { CliIo, Command } from '../command';
import { planDeploy } from '../deploy';
import { DEFAULT_TRIGGERS_DIR } from './validate';

const USAGE = 'deploy [DIR] [--brokers HOST:PORT,...] [--prefix P] [--prune] [--dry-run]';

interface DeployArgs {
  dir: string;
  brokers: string[];
  prefix: string;
  prune: boolean;
  dryRun: boolean;
}

function parseArgs(args: string[], env: NodeJS.ProcessEnv): DeployArgs | string {
  const out: DeployArgs = {
    dir: DEFAULT_TRIGGERS_DIR,
    brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    prefix: env.TOPIC_PREFIX ?? '',
    prune: false,
    dryRun: false,
  };
  let dirSeen = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--prune') out.prune = true;
    else if (arg === '--dry-run') out.dryRun = true;
    else if (arg === '--brokers' || arg === '--prefix') {
      const value = args[++i];
      if (value === undefined) return `${arg} needs a value`;
      if (arg === '--brokers') out.brokers = value.split(',').map((b) => b.trim());
      else out.prefix = value;
    } else if (arg.startsWith('-') || dirSeen) return `unexpected argument '${arg}'`;
    else {
      out.dir = arg;
      dirSeen = true;
    }
  }
  return out;
}

/**
 * `triggerctl deploy [DIR]`: validates the folder, reads what trigger-definitions holds, and publishes in
 * one send every new or changed trigger (refusing a change without a version bump) and changed policies.
 * Unchanged texts are not republished; deployed triggers missing from the folder are listed, and
 * undeployed (tombstoned) only with --prune. Nothing is published when anything is refused.
 */
export const deployCommand: Command = {
  name: 'deploy',
  usage: USAGE,
  summary: 'validate DIR and publish its changes to the trigger-definitions topic',
  run: async (argv: string[], io: CliIo) => {
    const args = parseArgs(argv, process.env);
    if (typeof args === 'string') {
      io.err(`triggerctl deploy: ${args}\nusage: triggerctl ${USAGE}\n`);
      return 2;
    }
    let texts;
    try {
      texts = await readDefinitionFolder(args.dir);
    } catch (err) {
      io.err(`triggerctl deploy: cannot read ${args.dir}: ${(err as Error).message}\n`);
      return 2;
    }
    const valid = validateDefinitions(texts);
    if (!valid.ok) {
      for (const e of valid.errors) io.err(`${formatDefinitionError(e)}\n`);
      io.err(`${valid.errors.length} error(s) in ${args.dir}: nothing deployed\n`);
      return 1;
    }

    const topic = topicNames(args.prefix).triggerDefinitions;
    const kafka = new Kafka({ clientId: 'triggerctl', brokers: args.brokers, logLevel: logLevel.ERROR });
    const deployed = await readCompactedTopic({ kafka, topic, groupId: `triggerctl-${randomUUID()}` });
    const plan = planDeploy(deployed, { texts, valid }, args.prune);

    for (const line of plan.refused) io.err(`refused: ${line}\n`);
    if (plan.refused.length > 0) {
      io.err(`${plan.refused.length} change(s) refused: nothing deployed\n`);
      return 1;
    }
    for (const key of plan.unchanged) io.out(`unchanged  ${key}\n`);
    for (const r of plan.publish) io.out(`${r.value === null ? 'undeploy ' : 'publish  '}  ${r.key}\n`);
    if (!args.prune)
      for (const key of plan.orphaned)
        io.out(`orphaned   ${key} (deployed, not in folder; --prune undeploys)\n`);
    if (args.dryRun || plan.publish.length === 0) {
      io.out(`${args.dryRun ? 'dry run: ' : ''}${plan.publish.length} record(s) to ${topic}\n`);
      return 0;
    }
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: plan.publish.map((r) => ({ key: r.key, value: r.value })),
      });
    } finally {
      await producer.disconnect();
    }
    io.out(`deployed ${plan.publish.length} record(s) to ${topic}\n`);
    return 0;
  },
};
