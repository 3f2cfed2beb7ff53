import type { ActionRequest, BlockedAction } from './types';

export function isAdminEquivalent(_document: unknown): boolean {
  throw new Error('isAdminEquivalent is being built');
}

export function actionsNotAllowed(_document: unknown, _requests: ActionRequest[]): BlockedAction[] {
  throw new Error('actionsNotAllowed is being built');
}
