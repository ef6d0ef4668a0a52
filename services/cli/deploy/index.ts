/** deploy: what `triggerctl deploy` publishes to trigger-definitions, decided purely. */
export { planDeploy } from './plan';
export type { DeployPlan, DeployRecord } from './plan';
