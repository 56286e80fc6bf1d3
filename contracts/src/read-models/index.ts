export * from './workflow-summary';
