'use strict';
// Exit 0 when the cluster at argv[2] (host:port,…) answers a metadata request listing at least
// argv[3] brokers; 1 otherwise. One short attempt: local-broker.sh calls it in a loop.
const { Kafka, logLevel } = require('kafkajs');

const [, , brokers, expected = '1'] = process.argv;
const kafka = new Kafka({
  clientId: 'local-broker-wait',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
});
const admin = kafka.admin();
const timer = setTimeout(() => process.exit(1), 4000);
admin
  .connect()
  .then(() => admin.describeCluster())
  .then((cluster) => {
    clearTimeout(timer);
    process.exitCode = cluster.brokers.length >= Number(expected) ? 0 : 1;
    return admin.disconnect();
  })
  .catch(() => process.exit(1));
