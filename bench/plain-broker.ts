/**
 * The comparison target: a plain Aedes broker with default options and no gateway logic, run
 * as its own process (`node dist/bench/plain-broker.js <port>`) so that its memory and CPU are
 * measured the same way as the gateway's.
 */
import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`plain-broker: port "${process.argv[2]}" is not an integer in 1..65535`);
  process.exit(2);
}

const aedes = await Aedes.createBroker();
const sockets = new Set<Socket>();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  aedes.handle(socket);
});
server.listen({ port, host: '127.0.0.1' }, () => console.log(`Broker ready ${port}`));

const stop = () => {
  for (const socket of sockets) socket.destroy();
  server.close(() => aedes.close(() => process.exit(0)));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
