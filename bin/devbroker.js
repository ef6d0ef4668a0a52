#!/usr/bin/env node
'use strict';
require('./run-ts')('services/devbroker/main.ts');
