export * from './tables';
export * from './csv';
export * from './xlsx';
export * from './format';
export { withNextPages, type NextPage } from './pages';
