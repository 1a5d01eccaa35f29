// The peer of bench/token_bench.sh: GET /v1/health/token-check behind NestJS 11 with
// @nestjs/passport and passport-jwt, the reference product's own authentication stack. The HS256
// secret is a KeyObject (jsonwebtoken would otherwise re-parse a string secret on every call).
// Plain CommonJS with decorators applied by hand, so that running it needs no compiler.
// Usage: node server.js PORT SECRET_HEX [WORKERS]
'use strict';
require('reflect-metadata');
const cluster = require('node:cluster');
const { createSecretKey } = require('node:crypto');
const { Controller, Get, HttpCode, Injectable, Module, UseGuards } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { AuthGuard, PassportModule, PassportStrategy } = require('@nestjs/passport');
const { ExtractJwt, Strategy } = require('passport-jwt');

const [port, secretHex, workers = '2'] = process.argv.slice(2);
if (!port || !secretHex) {
  console.error('usage: node server.js PORT SECRET_HEX [WORKERS]');
  process.exit(2);
}

class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: createSecretKey(Buffer.from(secretHex, 'hex')),
      algorithms: ['HS256'],
    });
  }
  validate(payload) {
    return payload;
  }
}
Injectable()(JwtStrategy);

class HealthController {
  tokenCheck() {}
}
const method = Object.getOwnPropertyDescriptor(HealthController.prototype, 'tokenCheck');
for (const decorate of [Get('token-check'), HttpCode(204), UseGuards(AuthGuard('jwt'))]) {
  decorate(HealthController.prototype, 'tokenCheck', method);
}
Controller('v1/health')(HealthController);

class AppModule {}
Module({ imports: [PassportModule], controllers: [HealthController], providers: [JwtStrategy] })(
  AppModule,
);

async function serve() {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(Number(port), '127.0.0.1');
}

if (cluster.isPrimary && Number(workers) > 1) {
  for (let i = 0; i < Number(workers); i += 1) cluster.fork();
} else {
  serve();
}
