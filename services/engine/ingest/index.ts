export { isBcp47Locale, isIsoRegion, isIanaTimeZone } from './formats';
export { CHANNELS, topicNames, inputTopicMap } from './topics';
export type { InputTopic, TopicNames } from './topics';
