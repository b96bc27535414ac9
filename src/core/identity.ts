import type { Cloud, Principal } from './event.js';

/** An identity as storage-watch tracks it: one principal in one account of one cloud. */
export interface Identity {
  /** cloud|account|principal id (see identityKey). */
  key: string;
  /** Provider. */
  cloud: Cloud;
  /** Account, project or subscription/storage account. */
  account: string;
  /** Who. */
  principal: Principal;
}
