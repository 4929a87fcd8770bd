import { type Theme, useMediaQuery } from '@mui/material';

/** Phones get react-admin's SimpleList (one card-like row per record) instead of a wide table. */
export function useIsPhone(): boolean {
  return useMediaQuery<Theme>((theme) => theme.breakpoints.down('sm'));
}
