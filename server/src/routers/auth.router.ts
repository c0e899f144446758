import {
  ZChangePasswordInput,
  ZChangePasswordOutput,
  ZConfirmTotpInput,
  ZConfirmTotpOutput,
  ZLoginInput,
  ZLoginOutput,
  ZLogoutOutput,
  ZMeOutput,
  ZNoInput,
} from '@modula/contracts';
import { changeOwnPassword, confirmTotp, login, logout } from '../auth-service.ts';
import { publicProcedure, router, sessionProcedure } from '../trpc.ts';

export const authRouter = router({
  login: publicProcedure
    .input(ZLoginInput)
    .output(ZLoginOutput)
    .mutation(({ ctx, input }) => login(ctx, input)),
  confirmTotp: publicProcedure
    .input(ZConfirmTotpInput)
    .output(ZConfirmTotpOutput)
    .mutation(({ ctx, input }) => confirmTotp(ctx, input)),
  me: sessionProcedure
    .input(ZNoInput)
    .output(ZMeOutput)
    .query(({ ctx }) => {
      const { userId, tenantId, tenantName, tenantTimeZone, email, name, role } = ctx.session;
      return { userId, tenantId, tenantName, tenantTimeZone, email, name, role };
    }),
  logout: publicProcedure
    .input(ZNoInput)
    .output(ZLogoutOutput)
    .mutation(({ ctx }) => logout(ctx)),
  changePassword: sessionProcedure
    .input(ZChangePasswordInput)
    .output(ZChangePasswordOutput)
    .mutation(({ ctx, input }) => changeOwnPassword(ctx, input)),
});
